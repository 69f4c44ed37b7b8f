// What the API server refuses, and how it says so: each invalid object is rejected with a
// message naming the field at fault and, for our own rules, the fix.
import { beforeAll, describe, expect, it } from "vitest";
import { freshNamespace } from "../support/kube.ts";
import {
  apiRequest,
  create,
  inNamespace,
  type Kind,
  loadSamples,
  resourcePath,
  type Sample,
} from "./api-server.ts";

// biome-ignore lint/suspicious/noExplicitAny: cases edit plain JSON objects
type Json = any;

interface Case {
  name: string;
  kind: Kind;
  /** Sample file the object starts from. */
  from: string;
  edit: (object: Json) => void;
  /** Field path the server's message must name, and text it must contain. */
  field: string;
  says: string;
}

const sitePlan = "plan-site-recovery.yaml";
const standbyPlan = "plan-standby-host-pool.yaml";
const sharedPlan = "plan-shared-host-pool.yaml";
const planned = "failover-planned.yaml";
const unplanned = "failover-unplanned.yaml";
const drill = "failover-test.yaml";

const CASES: Case[] = [
  // AvdDisasterRecoveryPlan
  {
    name: "unknown strategy",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.strategy = "ActiveActive";
    },
    field: "spec.strategy",
    says: 'Unsupported value: "ActiveActive"',
  },
  {
    name: "SiteRecovery without its vault",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      delete o.spec.siteRecovery;
    },
    field: "spec.siteRecovery",
    says: "strategy SiteRecovery needs spec.siteRecovery with vaultName and vaultResourceGroup",
  },
  {
    name: "siteRecovery without vaultName",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      delete o.spec.siteRecovery.vaultName;
    },
    field: "spec.siteRecovery.vaultName",
    says: "Required value",
  },
  {
    name: "vault name with spaces",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.siteRecovery.vaultName = "my vault";
    },
    field: "spec.siteRecovery.vaultName",
    says: "must be a Recovery Services vault name",
  },
  {
    name: "equal primary and secondary locations",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.secondary.location = o.spec.primary.location;
    },
    field: "spec.secondary.location",
    says: "secondary.location must differ from primary.location",
  },
  {
    name: "location written as a display name",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.primary.location = "East US 2";
    },
    field: "spec.primary.location",
    says: "lowercase without spaces, such as westeurope",
  },
  {
    name: "empty primary hostPools",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.primary.hostPools = [];
    },
    field: "spec.primary.hostPools",
    says: "hostPools must list at least one AVD host pool name",
  },
  {
    name: "empty secondary hostPools",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.secondary.hostPools = [];
    },
    field: "spec.secondary.hostPools",
    says: "hostPools must list at least one AVD host pool name",
  },
  {
    name: "host pool listed twice",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.primary.hostPools = ["hp-a", "hp-a"];
    },
    field: "spec.primary.hostPools[1]",
    says: 'Duplicate value: "hp-a"',
  },
  {
    name: "host pool name with a space",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.primary.hostPools = ["finance pool"];
    },
    field: "spec.primary.hostPools[0]",
    says: "must be a host pool name",
  },
  {
    name: "SharedHostPool with different pools per region",
    kind: "plan",
    from: sharedPlan,
    edit: (o) => {
      o.spec.secondary.hostPools = ["hp-other"];
    },
    field: "spec.secondary.hostPools",
    says: "SharedHostPool uses one host pool for both regions",
  },
  {
    name: "missing primary",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      delete o.spec.primary;
    },
    field: "spec.primary",
    says: "Required value",
  },
  {
    name: "subscriptionId that is not a GUID",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.subscriptionId = "contoso-production-subscription-001";
    },
    field: "spec.subscriptionId",
    says: "must be an Azure subscription id (a GUID",
  },
  {
    name: "negative grace period",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.gracePeriod = "-5m";
    },
    field: "spec.drain.gracePeriod",
    says: "drain.gracePeriod must be a Go duration without a sign, such as 90s, 15m or 1h30m",
  },
  {
    name: "absurd grace period",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.gracePeriod = "72h";
    },
    field: "spec.drain.gracePeriod",
    says: "drain.gracePeriod must be between 0s and 24h",
  },
  {
    name: "grace period in days (not a Go duration)",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.gracePeriod = "1d";
    },
    field: "spec.drain.gracePeriod",
    says: "(units h, m, s; no days)",
  },
  {
    name: "verify timeout too short",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.verify.timeout = "30s";
    },
    field: "spec.verify.timeout",
    says: "verify.timeout must be between 1m and 24h",
  },
  {
    name: "RPO target of weeks",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.rpoTarget = "336h";
    },
    field: "spec.rpoTarget",
    says: "rpoTarget must be between 30s and 24h",
  },
  {
    name: "standby power-on every ten minutes",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.standbyPowerOnInterval = "10m";
    },
    field: "spec.standbyPowerOnInterval",
    says: "standbyPowerOnInterval must be between 1h and 2160h",
  },
  {
    name: "available-hosts ratio above 1",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.verify.minAvailableHostsRatio = 1.5;
    },
    field: "spec.verify.minAvailableHostsRatio",
    says: "should be less than or equal to 1",
  },
  {
    name: "negative available-hosts ratio",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.verify.minAvailableHostsRatio = -0.1;
    },
    field: "spec.verify.minAvailableHostsRatio",
    says: "should be greater than or equal to 0",
  },
  {
    name: "zero available hosts",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.verify.minAvailableHosts = 0;
    },
    field: "spec.verify.minAvailableHosts",
    says: "should be greater than or equal to 1",
  },
  {
    name: "both a ratio and a count of available hosts",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.verify.minAvailableHostsRatio = 0.5;
    },
    field: "spec.verify",
    says: "set either minAvailableHostsRatio or minAvailableHosts, not both",
  },
  {
    name: "unknown log-off policy",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.logOffPolicy = "Gentle";
    },
    field: "spec.drain.logOffPolicy",
    says: 'Unsupported value: "Gentle"',
  },
  {
    name: "plain-http ARM endpoint",
    kind: "plan",
    from: sharedPlan,
    edit: (o) => {
      o.spec.cloud = { armEndpoint: "http://management.example.com" };
    },
    field: "spec.cloud.armEndpoint",
    says: "cloud.armEndpoint must be an https:// URL",
  },
  {
    name: "unknown field in a plan",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.primary.vmCount = 10;
    },
    field: "spec.primary.vmCount",
    says: "unknown field",
  },
  // FailoverRequest
  {
    name: "unknown failover type",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.type = "Rehearsal";
    },
    field: "spec.type",
    says: 'Unsupported value: "Rehearsal"',
  },
  {
    name: "unknown direction",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.direction = "ToTertiary";
    },
    field: "spec.direction",
    says: 'Unsupported value: "ToTertiary"',
  },
  {
    name: "Unplanned without the data-loss acknowledgement",
    kind: "failover",
    from: unplanned,
    edit: (o) => {
      delete o.spec.acknowledgeDataLoss;
    },
    field: "spec.acknowledgeDataLoss",
    says: "set spec.acknowledgeDataLoss: true to confirm",
  },
  {
    name: "Unplanned with the acknowledgement set to false",
    kind: "failover",
    from: unplanned,
    edit: (o) => {
      o.spec.acknowledgeDataLoss = false;
    },
    field: "spec.acknowledgeDataLoss",
    says: "an Unplanned failover may lose data",
  },
  {
    name: "test network on a Planned failover",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.testNetworkId =
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-test";
    },
    field: "spec.testNetworkId",
    says: "testNetworkId is only used by a Test failover",
  },
  {
    name: "test network that is not a virtual network id",
    kind: "failover",
    from: drill,
    edit: (o) => {
      o.spec.testNetworkId = "vnet-dr-test";
    },
    field: "spec.testNetworkId",
    says: "must be the ARM id of a virtual network",
  },
  {
    name: "Test failover asking to reprotect",
    kind: "failover",
    from: drill,
    edit: (o) => {
      o.spec.reprotect = true;
    },
    field: "spec.reprotect",
    says: "a Test failover never reprotects",
  },
  {
    name: "reprotect without commit",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.commit = false;
    },
    field: "spec.reprotect",
    says: "reprotect needs a committed failover",
  },
  {
    name: "missing planRef",
    kind: "failover",
    from: planned,
    edit: (o) => {
      delete o.spec.planRef;
    },
    field: "spec.planRef",
    says: "Required value",
  },
  {
    name: "absurd drain override",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.drain.gracePeriod = "100h";
    },
    field: "spec.drain.gracePeriod",
    says: "drain.gracePeriod must be between 0s and 24h",
  },
  {
    name: "unknown log-off policy override",
    kind: "failover",
    from: unplanned,
    edit: (o) => {
      o.spec.drain.logOffPolicy = "Never";
    },
    field: "spec.drain.logOffPolicy",
    says: 'Unsupported value: "Never"',
  },
  {
    name: "unknown field in a FailoverRequest",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.force = true;
    },
    field: "spec.force",
    says: "unknown field",
  },
];

/** Values at the edges that must still be accepted: the rules above are not stricter than documented. */
const ACCEPTED: Omit<Case, "field" | "says">[] = [
  {
    name: "bounds of every plan duration",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.gracePeriod = "0s";
      o.spec.verify.timeout = "24h";
      o.spec.rpoTarget = "30s";
      o.spec.standbyPowerOnInterval = "2160h";
    },
  },
  {
    name: "the other bounds and fractional and compound durations",
    kind: "plan",
    from: standbyPlan,
    edit: (o) => {
      o.spec.drain.gracePeriod = "23h59m59s500ms";
      o.spec.verify.timeout = "1m";
      o.spec.rpoTarget = "1.5h";
      o.spec.standbyPowerOnInterval = "1h";
    },
  },
  {
    name: "available-hosts ratio of exactly 1",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.verify.minAvailableHostsRatio = 1;
    },
  },
  {
    name: "available-hosts ratio of 0",
    kind: "plan",
    from: sitePlan,
    edit: (o) => {
      o.spec.verify.minAvailableHostsRatio = 0;
    },
  },
  {
    name: "SharedHostPool listing its pools in another order",
    kind: "plan",
    from: sharedPlan,
    edit: (o) => {
      o.spec.primary.hostPools = ["hp-shared", "hp-shared-2"];
      o.spec.secondary.hostPools = ["hp-shared-2", "hp-shared"];
    },
  },
  {
    name: "Planned failover without commit or reprotect",
    kind: "failover",
    from: planned,
    edit: (o) => {
      o.spec.commit = false;
      o.spec.reprotect = false;
    },
  },
];

describe("invalid objects", () => {
  let samples: Map<string, Sample>;
  let namespace: string;
  beforeAll(async () => {
    samples = new Map((await loadSamples()).map((s) => [s.file, s]));
    namespace = await freshNamespace("invalid");
  });

  it("the corpus is large enough to mean something", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  /** The case's object, under a name of its own so that one wrongly accepted case cannot fail the next. */
  function objectFor({ name, from, edit }: Omit<Case, "field" | "says">): Json {
    const object = inNamespace(samples.get(from)!.object, namespace);
    object.metadata.name = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 63)
      .replace(/-$/, "");
    edit(object);
    return object;
  }

  it.each(CASES)("rejects $name ($field)", async (c) => {
    const { status, body } = await create(c.kind, namespace, objectFor(c));
    expect(status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(body.message).toContain(c.field);
    expect(body.message).toContain(c.says);
  });

  it.each(ACCEPTED)("accepts $name", async (c) => {
    const { status, body } = await create(c.kind, namespace, objectFor(c));
    expect({ status, message: body.message }).toEqual({ status: 201, message: undefined });
  });

  it("rejects any edit of a FailoverRequest's spec, saying how to run a different one", async () => {
    const created = await create("failover", namespace, inNamespace(samples.get(drill)!.object, namespace));
    expect(created.status).toBe(201);
    const edited = structuredClone(created.body);
    edited.spec.dryRun = true;
    const { status, body } = await apiRequest(
      "PUT",
      resourcePath("failover", namespace, edited.metadata.name),
      edited,
    );
    expect(status).toBe(422);
    expect(body.message).toContain("spec: Invalid value");
    expect(body.message).toContain("spec is immutable");
    expect(body.message).toContain("create a new FailoverRequest");
  });

  it("still lets labels and finalizers of a FailoverRequest change (only its spec is frozen)", async () => {
    const failover = inNamespace(samples.get(unplanned)!.object, namespace);
    failover.metadata.name = "metadata-edit";
    const created = await create("failover", namespace, failover);
    expect(created.status).toBe(201);
    const edited = structuredClone(created.body);
    edited.metadata.labels = { "avddr.io/incident": "inc-42" };
    edited.metadata.finalizers = ["avddr.io/failover"];
    const { status, body } = await apiRequest(
      "PUT",
      resourcePath("failover", namespace, "metadata-edit"),
      edited,
    );
    expect({ status, message: body.message }).toEqual({ status: 200, message: undefined });
    expect(body.metadata.finalizers).toEqual(["avddr.io/failover"]);
  });

  it("rejects a status phase outside the enum on the status subresource", async () => {
    const failover = inNamespace(samples.get(planned)!.object, namespace);
    failover.metadata.name = "bad-phase";
    const created = await create("failover", namespace, failover);
    expect(created.status).toBe(201);
    const { status, body } = await apiRequest(
      "PUT",
      resourcePath("failover", namespace, "bad-phase", "status"),
      { ...created.body, status: { phase: "Done" } },
    );
    expect(status).toBe(422);
    expect(body.message).toContain('status.phase: Unsupported value: "Done"');
  });
});
