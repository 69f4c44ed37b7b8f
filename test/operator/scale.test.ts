// 1,000 plans created at once: every one is reconciled, and no plan is ever reconciled by two
// workers at the same moment. The real plan reconciler runs, watched by a wrapper that notes
// who works on which key when.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanStatus,
  GROUP,
  PLAN_PLURAL,
  VERSION,
} from "../../src/api/index.ts";
import { Controller, type Reconciler } from "../../src/controller/controller.ts";
import { Manager } from "../../src/controller/manager.ts";
import { OperatorMetrics } from "../../src/controller/metrics.ts";
import { ConflictRetryingStatusWriter, CustomObjectClient } from "../../src/controller/objects.ts";
import { PLANS_BY_HOST_POOL, planHostPoolKeys } from "../../src/reconcilers/indexes.ts";
import { PlanReconciler } from "../../src/reconcilers/plan.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";
import { avddr, plan, until } from "./fixtures.ts";
import { memoryLog } from "./harness.ts";

const COUNT = 1000;
const WORKERS = 8;

describe("1,000 plans at once", () => {
  it("are all reconciled, never one key by two workers at the same moment", async () => {
    const kc = testKubeConfig();
    const namespace = await freshNamespace("scale");
    const log = memoryLog([]);
    const metrics = new OperatorMetrics({ processMetrics: false });
    const manager = new Manager({ kc, namespaces: [namespace], log, metrics });
    const plans = manager.informers<AvdDisasterRecoveryPlan>({
      apiVersion: API_VERSION,
      plural: PLAN_PLURAL,
    });
    plans.addIndex(PLANS_BY_HOST_POOL, planHostPoolKeys);
    const secrets = manager.informers<V1Secret>({ apiVersion: "v1", plural: "secrets" });
    const client = new CustomObjectClient<AvdDisasterRecoveryPlan>(kc, {
      group: GROUP,
      version: VERSION,
      plural: PLAN_PLURAL,
    });
    const real = new PlanReconciler({
      plans,
      secrets,
      status: new ConflictRetryingStatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>(
        client,
      ),
      events: { record: () => {} },
      log,
    });

    const inFlight = new Set<string>();
    const reconciledKeys = new Set<string>();
    let overlaps = 0;
    let peak = 0;
    const watched: Reconciler = {
      async reconcile(key, signal) {
        if (inFlight.has(key)) overlaps++;
        inFlight.add(key);
        peak = Math.max(peak, inFlight.size);
        try {
          return await real.reconcile(key, signal);
        } finally {
          inFlight.delete(key);
          reconciledKeys.add(key);
        }
      },
    };
    const controller = new Controller({
      name: "plans",
      reconciler: watched,
      maxConcurrentReconciles: WORKERS,
      metrics,
      log,
    });
    controller.watch(plans);
    manager.addController(controller);
    await manager.start();
    try {
      const k = avddr(kc);
      const names = Array.from({ length: COUNT }, (_, i) => `plan-${String(i).padStart(4, "0")}`);
      // As fast as a GitOps sync would: 50 creates in flight at a time.
      for (let i = 0; i < COUNT; i += 50) {
        await Promise.all(names.slice(i, i + 50).map((n) => k.createPlan(namespace, plan(n))));
      }
      await until(
        "every plan to be reconciled",
        async () => ((await k.reconciledPlans(namespace)) === COUNT ? true : undefined),
        120_000,
      );
      expect(reconciledKeys.size).toBe(COUNT);
      expect(overlaps).toBe(0);
      expect(peak).toBeLessThanOrEqual(WORKERS);
      expect(peak).toBeGreaterThan(1);
    } finally {
      await manager.shutdown();
    }
  }, 180_000);
});
