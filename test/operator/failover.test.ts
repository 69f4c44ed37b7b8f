// FailoverRequest admission against the real API server: one active failover per plan, the
// first request wins, a request for a plan that does not exist yet waits for it.
import { describe, expect, it } from "vitest";
import { type FailoverRequest, getCondition } from "../../src/api/index.ts";
import { FAILOVER_FINALIZER } from "../../src/reconcilers/failover/reconciler.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";
import { avddr, failover, plan, until } from "./fixtures.ts";
import { inProcessOperatorPerTest } from "./harness.ts";

const kc = testKubeConfig();
const k = avddr(kc);
const operatorFor = inProcessOperatorPerTest(kc);

function phaseOf(namespace: string, name: string, phase: string) {
  return until(`${name} ${phase}`, async () => {
    const r = await k.getRequest(namespace, name);
    return r.status?.phase === phase ? r : undefined;
  });
}

const activeOn = (namespace: string, planName: string) =>
  k.getPlan(namespace, planName).then((p) => p.status?.activeFailover?.name);

describe("failover request admission", () => {
  it("waits for a plan that does not exist yet, then is accepted and recorded on the plan", async () => {
    const namespace = await freshNamespace("failover");
    await operatorFor(namespace);
    await k.createRequest(namespace, failover("weu-to-neu", "contoso"));
    const waiting = await until("the waiting condition", async () => {
      const r = await k.getRequest(namespace, "weu-to-neu");
      return getCondition(r.status?.conditions, "Reconciling")?.reason === "PlanNotFound" ? r : undefined;
    });
    expect(waiting.status?.phase).toBeUndefined();
    expect(waiting.status?.message).toBe(
      `waiting for AvdDisasterRecoveryPlan contoso in namespace ${namespace}: create it, or delete this request if spec.planRef.name is wrong`,
    );

    await k.createPlan(namespace, plan("contoso"));
    const accepted = await phaseOf(namespace, "weu-to-neu", "Pending");
    expect(accepted.metadata.finalizers).toContain(FAILOVER_FINALIZER);
    expect(getCondition(accepted.status?.conditions, "Reconciling")?.reason).toBe("Accepted");
    const p = await k.getPlan(namespace, "contoso");
    expect(p.status?.activeFailover).toEqual({
      name: "weu-to-neu",
      phase: "Pending",
      type: "Planned",
      direction: "ToSecondary",
    });
  });

  it("accepts only the first of several requests created at once and rejects the others naming it", async () => {
    const namespace = await freshNamespace("failover");
    await k.createPlan(namespace, plan("contoso"));
    // Created before the operator runs, so all three are undecided when it starts.
    const names = ["drill-c", "drill-a", "drill-b"];
    await Promise.all(names.map((n) => k.createRequest(namespace, failover(n, "contoso"))));
    await operatorFor(namespace);

    const decided = await until("all three decided", async () => {
      const all = await Promise.all(names.map((n) => k.getRequest(namespace, n)));
      return all.every((r) => r.status?.phase) ? all : undefined;
    });
    const byCreation = [...decided].sort(
      (a, b) =>
        new Date(a.metadata.creationTimestamp!).getTime() -
          new Date(b.metadata.creationTimestamp!).getTime() ||
        a.metadata.name!.localeCompare(b.metadata.name!),
    );
    const [winner, ...losers] = byCreation as [FailoverRequest, ...FailoverRequest[]];
    expect(winner.status?.phase).toBe("Pending");
    expect(await activeOn(namespace, "contoso")).toBe(winner.metadata.name);
    for (const loser of losers) {
      expect(loser.status?.phase).toBe("Rejected");
      expect(loser.status?.message).toBe(
        `plan contoso already has an active failover, FailoverRequest ${winner.metadata.name} (phase Pending); one failover runs per plan at a time: wait for it to finish, then create a new request`,
      );
      expect(getCondition(loser.status?.conditions, "Stalled")?.status).toBe("True");
      expect(loser.metadata.finalizers ?? []).not.toContain(FAILOVER_FINALIZER);
    }
  });

  it("releases the plan when the active request is deleted, so the next request is accepted", async () => {
    const namespace = await freshNamespace("failover");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("contoso"));
    await k.createRequest(namespace, failover("first", "contoso"));
    await phaseOf(namespace, "first", "Pending");
    await k.createRequest(namespace, failover("too-early", "contoso"));
    await phaseOf(namespace, "too-early", "Rejected");

    await k.deleteRequest(namespace, "first");
    await until("the plan to be released", async () =>
      (await activeOn(namespace, "contoso")) === undefined ? true : undefined,
    );
    await until("first to be gone", async () =>
      k.getRequest(namespace, "first").then(
        () => undefined,
        () => true,
      ),
    );

    await k.createRequest(namespace, failover("second", "contoso"));
    await phaseOf(namespace, "second", "Pending");
    expect(await activeOn(namespace, "contoso")).toBe("second");
    // A rejected request stays rejected: progress only moves forward.
    expect((await k.getRequest(namespace, "too-early")).status?.phase).toBe("Rejected");
  });
});
