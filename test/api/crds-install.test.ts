// Both CRDs are served by a real API server, and every sample an administrator starts from
// is accepted as written, with the defaults filled in.
import { describe, expect, it } from "vitest";
import {
  CATEGORY,
  FAILOVER_DEFAULTS,
  FAILOVER_PLURAL,
  FAILOVER_TYPES,
  GROUP,
  PLAN_DEFAULTS,
  PLAN_PLURAL,
  STRATEGIES,
  VERSION,
} from "../../src/api/index.ts";
import { freshNamespace } from "../support/kube.ts";
import { apiRequest, create, inNamespace, loadSamples } from "./api-server.ts";

describe("the CRDs", () => {
  it("are established and discoverable with their short names and category", async () => {
    const { status, body } = await apiRequest("GET", `/apis/${GROUP}/${VERSION}`);
    expect(status).toBe(200);
    const byName = new Map(body.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get(PLAN_PLURAL)).toMatchObject({
      kind: "AvdDisasterRecoveryPlan",
      namespaced: true,
      shortNames: ["avddrplan", "drplan"],
      categories: [CATEGORY],
    });
    expect(byName.get(FAILOVER_PLURAL)).toMatchObject({
      kind: "FailoverRequest",
      namespaced: true,
      shortNames: ["failover"],
      categories: [CATEGORY],
    });
    expect(byName.has(`${PLAN_PLURAL}/status`)).toBe(true);
    expect(byName.has(`${FAILOVER_PLURAL}/status`)).toBe(true);
  });
});

describe("config/samples", async () => {
  const samples = await loadSamples();

  it("has a plan for each strategy and a FailoverRequest for each type, each naming a sample plan", () => {
    const plans = samples.filter((s) => s.kind === "plan");
    const failovers = samples.filter((s) => s.kind === "failover");
    expect(plans.map((s) => s.object.spec.strategy).sort()).toEqual([...STRATEGIES].sort());
    expect(failovers.map((s) => s.object.spec.type).sort()).toEqual([...FAILOVER_TYPES].sort());
    const planNames = new Set(plans.map((s) => s.object.metadata.name));
    for (const f of failovers) expect(planNames, f.file).toContain(f.object.spec.planRef.name);
  });

  it("are all accepted by the API server with strict field validation", async () => {
    const namespace = await freshNamespace("samples");
    for (const sample of samples) {
      const { status, body } = await create(sample.kind, namespace, inNamespace(sample.object, namespace));
      expect({ file: sample.file, status, message: body.message }).toEqual({
        file: sample.file,
        status: 201,
        message: undefined,
      });
    }
  });

  it("get the documented defaults for what they leave out", async () => {
    const namespace = await freshNamespace("defaults");
    const shared = samples.find((s) => s.file === "plan-shared-host-pool.yaml")!;
    const plan = (await create("plan", namespace, inNamespace(shared.object, namespace))).body;
    expect(plan.spec).toMatchObject({
      rpoTarget: PLAN_DEFAULTS.rpoTarget,
      keepStandbyDeallocated: PLAN_DEFAULTS.keepStandbyDeallocated,
      standbyPowerOnInterval: PLAN_DEFAULTS.standbyPowerOnInterval,
      suspend: false,
      drain: {
        title: PLAN_DEFAULTS.drainTitle,
        message: PLAN_DEFAULTS.drainMessage,
        gracePeriod: "5m",
        logOffPolicy: PLAN_DEFAULTS.logOffPolicy,
      },
      verify: { minAvailableHostsRatio: 0.75, timeout: PLAN_DEFAULTS.verifyTimeout },
    });

    const test = samples.find((s) => s.file === "failover-test.yaml")!;
    const failover = (await create("failover", namespace, inNamespace(test.object, namespace))).body;
    expect(failover.spec).toMatchObject(FAILOVER_DEFAULTS);
    // A FailoverRequest's drain fields are overrides: left out, they stay out (the plan's apply).
    expect(failover.spec.drain).toBeUndefined();
  });
});
