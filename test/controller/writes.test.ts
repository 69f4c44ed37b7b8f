// Writes against the real API server: a status write that meets a newer resourceVersion is
// retried on the fresh object and wins; finalizers are written with optimistic concurrency.
import { describe, expect, it } from "vitest";
import type { AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus } from "../../src/api/index.ts";
import { GROUP, PLAN_PLURAL, VERSION } from "../../src/api/index.ts";
import { isConflict } from "../../src/controller/errors.ts";
import { FinalizerPatcher } from "../../src/controller/finalizers.ts";
import { ConflictRetryingStatusWriter, CustomObjectClient } from "../../src/controller/objects.ts";
import { avddr, plan } from "../operator/fixtures.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";

const kc = testKubeConfig();
const client = new CustomObjectClient<AvdDisasterRecoveryPlan>(kc, {
  group: GROUP,
  version: VERSION,
  plural: PLAN_PLURAL,
});

describe("status writes", () => {
  it("retry a conflict on the fresh object and win, keeping the other writer's fields", async () => {
    const namespace = await freshNamespace("writes");
    const cached = await avddr(kc).createPlan(namespace, plan("contoso"));
    // Another writer records the active failover after our cache saw the object.
    await client.replaceStatus({ ...cached, status: { activeFailover: { name: "fo-1", phase: "Pending" } } });

    let conflicts = 0;
    const writer = new ConflictRetryingStatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>(
      client,
      {
        onConflict: () => conflicts++,
      },
    );
    const seen: Array<string | undefined> = [];
    const written = await writer.update(cached, (current) => {
      seen.push(current.status?.activeFailover?.name);
      return { ...current.status, observedGeneration: current.metadata.generation };
    });

    expect(conflicts).toBe(1);
    // First from the stale cached object, then from the fresh one.
    expect(seen).toEqual([undefined, "fo-1"]);
    const stored = await avddr(kc).getPlan(namespace, "contoso");
    expect(stored.status).toEqual({
      activeFailover: { name: "fo-1", phase: "Pending" },
      observedGeneration: 1,
    });
    expect(written?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  it("write nothing when the status would not change", async () => {
    const namespace = await freshNamespace("writes");
    const created = await avddr(kc).createPlan(namespace, plan("contoso"));
    const writer = new ConflictRetryingStatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>(
      client,
    );
    const first = await writer.update(created, () => ({ observedGeneration: 1 }));
    const second = await writer.update(first!, () => ({ observedGeneration: 1 }));
    expect(second?.metadata.resourceVersion).toBe(first?.metadata.resourceVersion);
  });
});

describe("finalizers", () => {
  it("are added and removed, and a stale object is refused with a conflict", async () => {
    const namespace = await freshNamespace("writes");
    const created = await avddr(kc).createPlan(namespace, plan("contoso"));
    const finalizers = new FinalizerPatcher(client);
    const held = await finalizers.add(created, "avddr.io/test");
    expect(held.metadata.finalizers).toEqual(["avddr.io/test"]);
    expect(await finalizers.add(held, "avddr.io/test")).toBe(held);

    // `created` predates the finalizer: writing from it would drop the finalizer, so the server refuses.
    const stale = await finalizers.add(created, "avddr.io/other").catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);

    const released = await finalizers.remove(held, "avddr.io/test");
    expect(released.metadata.finalizers ?? []).toEqual([]);
  });
});
