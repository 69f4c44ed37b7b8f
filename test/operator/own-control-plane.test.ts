// On a control plane of its own: the operator outlives its API server (kube-apiserver is
// stopped and started again under it; the restarted server has no watch history, so the
// informers get 410 Gone and re-list), and objects written under another version's CRDs are
// reported, not acted on.
import { CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCondition } from "../../src/api/index.ts";
import { avddr, failover, plan, until } from "./fixtures.ts";
import { startInProcessOperator } from "./harness.ts";
import { type OwnControlPlane, ourCrds, startOwnControlPlane } from "./own-control-plane.ts";

let own: OwnControlPlane;
beforeAll(async () => {
  own = await startOwnControlPlane();
});
afterAll(async () => {
  await own?.stop();
});

async function informerCount(
  metrics: { registry: { getSingleMetricAsString(n: string): Promise<string> } },
  resource: string,
  operation: string,
) {
  const text = await metrics.registry.getSingleMetricAsString("avddr_informer_operations_total");
  const line = text
    .split("\n")
    .find((l) => l.includes(`resource="${resource}"`) && l.includes(`operation="${operation}"`));
  return Number(line?.split(" ").pop() ?? 0);
}

describe("API server outage", () => {
  it("catches up with every change made while kube-apiserver was down and restarting", async () => {
    const { kc, cp } = own;
    const core = kc.makeApiClient(CoreV1Api);
    const k = avddr(kc);
    const namespace = "outage";
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const name of ["p0", "p1", "p2"]) await k.createPlan(namespace, plan(name));
    const op = await startInProcessOperator(kc, [namespace]);
    try {
      await until("the first reconciles", async () => {
        const all = await Promise.all(["p0", "p1", "p2"].map((n) => k.getPlan(namespace, n)));
        return all.every((p) => p.status?.observedGeneration === 1) || undefined;
      });
      // Other writes move the store's revision past what the operator's watches have seen.
      for (let i = 0; i < 3; i++)
        await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `bump-${i}` } } });

      await cp.stopApiServer();
      await new Promise((r) => setTimeout(r, 1500));
      await cp.startApiServer();

      // Changes the operator has not seen: a new plan, a spec change, a failover request.
      await k.createPlan(namespace, plan("p3"));
      await k.api.patchNamespacedCustomObject({
        group: "avddr.io",
        version: "v1alpha1",
        plural: "avddisasterrecoveryplans",
        namespace,
        name: "p1",
        body: [{ op: "replace", path: "/spec/secondary/location", value: "francecentral" }],
      });
      await k.createRequest(namespace, failover("dr-now", "p0"));

      await until(
        "the operator to catch up",
        async () => {
          const [p1, p3, request] = await Promise.all([
            k.getPlan(namespace, "p1"),
            k.getPlan(namespace, "p3"),
            k.getRequest(namespace, "dr-now"),
          ]);
          return (
            (p1.status?.observedGeneration === 2 &&
              p3.status?.observedGeneration === 1 &&
              getCondition(p3.status?.conditions, "Ready")?.reason === "AzureNotObserved" &&
              request.status?.phase === "Pending") ||
            undefined
          );
        },
        45_000,
      );
      expect((await k.getPlan(namespace, "p0")).status?.activeFailover?.name).toBe("dr-now");
      // The watches failed while the server was away, and came back through a re-list.
      expect(await informerCount(op.metrics, "avddisasterrecoveryplans", "errors")).toBeGreaterThan(0);
      expect(await informerCount(op.metrics, "avddisasterrecoveryplans", "gone")).toBeGreaterThan(0);
      expect(await informerCount(op.metrics, "avddisasterrecoveryplans", "lists")).toBeGreaterThanOrEqual(2);
      expect(op.lines.some((l) => l.msg === "list/watch failed; retrying")).toBe(true);
      expect(op.lines.some((l) => l.msg === "watch history expired (410 Gone); re-listing")).toBe(true);
    } finally {
      await op.stop();
    }
  });
});

type JsonSchema = { properties: Record<string, JsonSchema>; enum?: string[]; maximum?: number };
const specSchemaOf = (crd: KubernetesObject) =>
  (crd as unknown as { spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema } }> } }).spec
    .versions[0]!.schema.openAPIV3Schema.properties.spec!;

describe("objects this operator cannot make sense of", () => {
  it("are reported on the object and in the log while every other object is still served", async () => {
    const { kc } = own;
    const core = kc.makeApiClient(CoreV1Api);
    const k = avddr(kc);
    const namespace = "schema-drift";
    await core.createNamespace({ body: { metadata: { name: namespace } } });

    // The CRDs of another version of the operator: a new field, a new strategy, a wider range.
    const crds = ourCrds();
    const [planCrd, requestCrd] = [
      crds.find((c) => c.metadata?.name === "avddisasterrecoveryplans.avddr.io")!,
      crds.find((c) => c.metadata?.name === "failoverrequests.avddr.io")!,
    ];
    const planSpec = specSchemaOf(planCrd);
    planSpec.properties.failoverOrder = { type: "string" } as unknown as JsonSchema;
    planSpec.properties.strategy!.enum!.push("ActiveActive");
    planSpec.properties.verify!.properties.minAvailableHostsRatio!.maximum = 100;
    specSchemaOf(requestCrd).properties.priority = { type: "string" } as unknown as JsonSchema;
    await own.installCrds(crds);
    try {
      const future = plan("future");
      (future.spec as unknown as Record<string, unknown>).failoverOrder = "weu-first";
      const activeActive = plan("active-active");
      (activeActive.spec as { strategy: string }).strategy = "ActiveActive";
      const percent = plan("percent");
      percent.spec.verify = { minAvailableHostsRatio: 50 };
      for (const p of [future, activeActive, percent, plan("good")]) await k.createPlan(namespace, p);
      const urgent = failover("urgent", "good");
      (urgent.spec as unknown as Record<string, unknown>).priority = "high";
      await k.createRequest(namespace, urgent);
      await k.createRequest(namespace, failover("drill", "good"));

      const op = await startInProcessOperator(kc, [namespace]);
      try {
        const stalledMessage = async (name: string) => {
          const p = await k.getPlan(namespace, name);
          const stalled = getCondition(p.status?.conditions, "Stalled");
          return stalled?.status === "True" ? `${stalled.reason}: ${stalled.message}` : undefined;
        };
        expect(await until("future stalled", () => stalledMessage("future"))).toBe(
          "InvalidSpec: spec.failoverOrder is not a field this operator knows; remove it",
        );
        expect(await until("active-active stalled", () => stalledMessage("active-active"))).toBe(
          'InvalidSpec: spec.strategy unknown value "ActiveActive": use one of SiteRecovery, StandbyHostPool, SharedHostPool',
        );
        expect(await until("percent stalled", () => stalledMessage("percent"))).toBe(
          "InvalidSpec: spec.verify.minAvailableHostsRatio must be at most 1, found 50",
        );
        const rejected = await until("urgent rejected", async () => {
          const r = await k.getRequest(namespace, "urgent");
          return r.status?.phase === "Rejected" ? r : undefined;
        });
        expect(rejected.status?.message).toBe(
          "spec.priority is not a field this operator knows; remove it; the spec is immutable: delete this request and create a corrected one",
        );
        // Everything else is served as usual.
        await until(
          "drill accepted",
          async () => (await k.getRequest(namespace, "drill")).status?.phase === "Pending" || undefined,
        );
        const good = await k.getPlan(namespace, "good");
        expect(getCondition(good.status?.conditions, "Stalled")?.status).toBe("False");
        expect(good.status?.activeFailover?.name).toBe("drill");
        // And the log says which object and why.
        const warnings = op.lines
          .filter((l) => l.level === "warn" && l.msg === "plan is invalid")
          .map((l) => l.plan);
        expect(new Set(warnings)).toEqual(
          new Set([`${namespace}/future`, `${namespace}/active-active`, `${namespace}/percent`]),
        );
        expect(
          op.lines.some((l) => l.msg === "failover request rejected" && l.request === `${namespace}/urgent`),
        ).toBe(true);
        expect(op.lines.filter((l) => l.level === "error")).toEqual([]);
      } finally {
        await op.stop();
      }
    } finally {
      await own.installCrds();
    }
  });
});
