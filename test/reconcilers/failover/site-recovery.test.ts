// The SiteRecovery strategy with a fake vault whose items move through ASR's states: what is
// sent, what is adopted or left alone, and what ends a request, for the failover, commit,
// reprotect and a drill's cleanup, item by item and through a recovery plan.
import { describe, expect, it } from "vitest";
import type { FailoverPhase, FailoverRequestSpec } from "../../../src/api/index.ts";
import { AzureError } from "../../../src/azure/errors.ts";
import {
  siteRecoveryStrategy as asr,
  SETTLE_MS,
} from "../../../src/reconcilers/failover/strategies/site-recovery.ts";
import {
  type FakeAzure,
  type FakeScope,
  fakeScope,
  siteRecovery,
  siteRecoveryDeployment,
  TEST_NETWORK,
} from "./fakes.ts";

const RECOVERY_PLAN = "rp-avd";

/** A reconcile of the SiteRecovery plan in `phase`; `last` carries the status the previous one wrote. */
function pass(
  azure: FakeAzure,
  phase: FailoverPhase,
  options: { spec?: Partial<FailoverRequestSpec>; last?: FakeScope; recoveryPlan?: boolean } = {},
): FakeScope {
  return fakeScope(azure, {
    phase,
    ...(options.spec ? { spec: options.spec } : {}),
    ...(options.last ? { status: options.last.status, clock: options.last.clock } : {}),
    plan: (p) => {
      siteRecovery(p);
      if (options.recoveryPlan) p.spec.siteRecovery!.recoveryPlanName = RECOVERY_PLAN;
    },
  });
}

/** Every item of the vault went through these jobs: the earlier steps are done. */
function itemsWentThrough(azure: FakeAzure, scenario: string, ...scenarios: string[]): void {
  for (const s of [scenario, ...scenarios]) {
    for (const item of azure.siteRecovery.items.keys()) azure.siteRecovery.startJob(item, s);
    azure.siteRecovery.finishJobs();
  }
}

describe("SiteRecovery failover, item by item", () => {
  it("planned: sends unplannedFailover with the source shut down first to each item once, recording each job before waiting", async () => {
    const azure = siteRecoveryDeployment(2);
    const vault = azure.siteRecovery;
    const first = pass(azure, "FailingOver");
    expect(await asr.failover(first)).toMatchObject({ outcome: "wait" });
    expect(vault.sent("unplannedFailover")).toEqual(["vm-0", "vm-1"]);
    // The adapter sends "planned" as unplannedFailover with sourceSiteOperations Required.
    expect(vault.failovers).toEqual([
      { type: "planned", direction: "PrimaryToRecovery" },
      { type: "planned", direction: "PrimaryToRecovery" },
    ]);
    expect(first.status.operations).toMatchObject([
      { step: "FailingOver", kind: "unplannedFailover", id: "job-1", target: "vm-0" },
      { step: "FailingOver", kind: "unplannedFailover", id: "job-2", target: "vm-1" },
    ]);

    const running = pass(azure, "FailingOver", { last: first });
    expect(await asr.failover(running)).toMatchObject({ outcome: "wait" });
    vault.finishJobs();
    const finished = pass(azure, "FailingOver", { last: running });
    expect(await asr.failover(finished)).toMatchObject({
      outcome: "done",
      message: "failover done for all 2 protected item(s)",
    });
    expect(vault.sent("unplannedFailover")).toHaveLength(2);
    expect(finished.status.operations?.map((o) => o.result)).toEqual(["Succeeded", "Succeeded"]);
    expect(finished.status.counters?.itemsFailedOver).toBe(2);
  });

  it("unplanned: fails over to the latest processed recovery point without touching the source", async () => {
    const azure = siteRecoveryDeployment(1);
    await asr.failover(
      pass(azure, "FailingOver", { spec: { type: "Unplanned", acknowledgeDataLoss: true } }),
    );
    // The adapter sends "unplanned" with sourceSiteOperations NotRequired.
    expect(azure.siteRecovery.failovers).toEqual([
      { type: "unplanned", direction: "PrimaryToRecovery", recoveryPointType: "LatestProcessed" },
    ]);
  });

  it("a drill sends testFailover into the request's test network", async () => {
    const azure = siteRecoveryDeployment(1);
    await asr.failover(pass(azure, "FailingOver", { spec: { type: "Test", testNetworkId: TEST_NETWORK } }));
    expect(azure.siteRecovery.sent("testFailover")).toEqual(["vm-0"]);
    expect(azure.siteRecovery.failovers).toEqual([
      { type: "test", direction: "PrimaryToRecovery", networkId: TEST_NETWORK },
    ]);
  });

  it("sends nothing ASR does not allow: an item still in initial replication fails the request, naming what ASR allows", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.items.get("vm-1")!.state = "Replicating";
    const result = await asr.failover(pass(azure, "FailingOver"));
    expect(result).toMatchObject({ outcome: "failed", reason: "UnplannedFailoverFailed" });
    expect(result.message).toMatch(/ASR does not allow failover of vm-1 now \(allowed: DisableProtection\)/);
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual([]);
  });

  it("adopts a failover job already running on an item (sent before a restart) instead of sending it again", async () => {
    const azure = siteRecoveryDeployment(2);
    const job = azure.siteRecovery.startJob("vm-0", "UnplannedFailover");
    const scope = pass(azure, "FailingOver");
    expect(await asr.failover(scope)).toMatchObject({ outcome: "wait" });
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual(["vm-1"]);
    expect(scope.status.operations).toContainEqual(
      expect.objectContaining({ id: job, target: "vm-0", adopted: true }),
    );
  });

  it("waits for another action's job on an item without adopting it, then fails if ASR does not allow the failover", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.startJob("vm-0", "TestFailover"); // a drill started from the portal
    const first = pass(azure, "FailingOver");
    expect(await asr.failover(first)).toMatchObject({ outcome: "wait" });
    expect(first.status.operations?.map((o) => o.target)).toEqual(["vm-1"]);

    azure.siteRecovery.finishJobs();
    const result = await asr.failover(pass(azure, "FailingOver", { last: first }));
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(
      /ASR does not allow failover of vm-0 now \(allowed: TestFailoverCleanup\)/,
    );
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual(["vm-1"]);
  });

  it("counts an item already failed over as done and never sends it", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.startJob("vm-0", "UnplannedFailover");
    azure.siteRecovery.finishJobs();
    const scope = pass(azure, "FailingOver");
    await asr.failover(scope);
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual(["vm-1"]);
    expect(scope.status.counters?.itemsFailedOver).toBe(1);
  });

  it("ends Failed with the job's message when a recorded failover's job failed, and never sends it again", async () => {
    const azure = siteRecoveryDeployment(2);
    const first = pass(azure, "FailingOver");
    await asr.failover(first);
    azure.siteRecovery.failJob("vm-0", "The virtual machine vm-0 could not be started: AllocationFailed.");
    azure.siteRecovery.finishJobs();
    const checked = pass(azure, "FailingOver", { last: first });
    const result = await asr.failover(checked);
    expect(result).toMatchObject({ outcome: "failed", reason: "UnplannedFailoverFailed" });
    expect(result.message).toMatch(
      /failover failed for 1 protected item\(s\): The virtual machine vm-0 could not be started: AllocationFailed.*Fix the cause in the vault/,
    );
    expect(checked.status.operations?.map((o) => o.result)).toEqual(["Failed", "Succeeded"]);

    // Looked at again (a restart before the Failed status was written), it is still not resent.
    await asr.failover(pass(azure, "FailingOver", { last: checked }));
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual(["vm-0", "vm-1"]);
  });

  it("looks again, never fails, when ASR is busy or throttles, and sends the refused item on a later pass", async () => {
    const azure = siteRecoveryDeployment(2);
    const vault = azure.siteRecovery;
    let last: FakeScope | undefined;
    for (const error of [
      new AzureError("vm-0 is running a job", "ProtectedItemOperationInProgress", 400),
      new AzureError("too many requests", "SubscriptionRequestsThrottled", 429, 30_000),
    ]) {
      vault.failWith = { match: /unplannedFailover vm-0/, error };
      last = pass(azure, "FailingOver", last ? { last } : {});
      expect(await asr.failover(last)).toMatchObject({ outcome: "wait" });
      expect(last.status.operations?.map((o) => o.target)).toEqual(["vm-1"]);
    }
    vault.failWith = undefined;
    const later = pass(azure, "FailingOver", { last: last! });
    await asr.failover(later);
    expect(later.status.operations?.map((o) => o.target)).toEqual(["vm-1", "vm-0"]);
    expect(vault.sent("unplannedFailover").filter((item) => item === "vm-1")).toHaveLength(1);
  });

  it("sends at most 200 items per pass (about a full ARM write bucket) and comes back at once for the rest", async () => {
    const azure = siteRecoveryDeployment(250);
    const first = pass(azure, "FailingOver");
    expect(await asr.failover(first)).toMatchObject({ outcome: "wait", recheckMs: 0 });
    expect(azure.siteRecovery.sent("unplannedFailover")).toHaveLength(200);
    const second = pass(azure, "FailingOver", { last: first });
    expect(await asr.failover(second)).toMatchObject({ outcome: "wait", recheckMs: 10_000 });
    expect(new Set(azure.siteRecovery.sent("unplannedFailover")).size).toBe(250);
  });

  it("records the RPO at failover once: the worst lag when the failover was first sent", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.items.get("vm-0")!.rpoSeconds = 30;
    azure.siteRecovery.items.get("vm-1")!.rpoSeconds = 90;
    const first = pass(azure, "FailingOver");
    await asr.failover(first);
    expect(first.status).toMatchObject({ rpoAtFailoverSeconds: 90, rpoAtFailover: "1m30s" });
    azure.siteRecovery.items.get("vm-1")!.rpoSeconds = 600;
    const later = pass(azure, "FailingOver", { last: first });
    await asr.failover(later);
    expect(later.status).toMatchObject({ rpoAtFailoverSeconds: 90, rpoAtFailover: "1m30s" });
  });
});

describe("SiteRecovery commit, reprotect and cleanup", () => {
  it("commits each failed-over item once, then counts the committed ones as done", async () => {
    const azure = siteRecoveryDeployment(2);
    itemsWentThrough(azure, "UnplannedFailover");
    const first = pass(azure, "Committing");
    expect(await asr.commit(first)).toMatchObject({ outcome: "wait" });
    expect(first.status.operations?.map((o) => o.kind)).toEqual(["failoverCommit", "failoverCommit"]);
    azure.siteRecovery.finishJobs();
    expect(await asr.commit(pass(azure, "Committing", { last: first }))).toMatchObject({ outcome: "done" });
    expect(azure.siteRecovery.sent("failoverCommit")).toEqual(["vm-0", "vm-1"]);
  });

  it("reprotects committed items back towards the primary, once each", async () => {
    const azure = siteRecoveryDeployment(2);
    itemsWentThrough(azure, "UnplannedFailover", "CommitFailover");
    const first = pass(azure, "Reprotecting", { spec: { reprotect: true } });
    expect(await asr.reprotect(first)).toMatchObject({ outcome: "wait" });
    expect(azure.siteRecovery.sent("reProtect")).toEqual([
      "vm-0 RecoveryToPrimary",
      "vm-1 RecoveryToPrimary",
    ]);
    azure.siteRecovery.finishJobs();
    const last = pass(azure, "Reprotecting", { spec: { reprotect: true }, last: first });
    expect(await asr.reprotect(last)).toMatchObject({ outcome: "done" });
    expect(azure.siteRecovery.sent("reProtect")).toHaveLength(2);
  });

  it("cleans up a drill's test failover once per item and is done when the test VMs are gone", async () => {
    const azure = siteRecoveryDeployment(2);
    itemsWentThrough(azure, "TestFailover");
    const drill = { type: "Test" as const, testNetworkId: TEST_NETWORK };
    const first = pass(azure, "CleaningUp", { spec: drill });
    expect(await asr.cleanup(first)).toMatchObject({ outcome: "wait" });
    azure.siteRecovery.finishJobs();
    const last = pass(azure, "CleaningUp", { spec: drill, last: first });
    expect(await asr.cleanup(last)).toMatchObject({ outcome: "done" });
    expect(azure.siteRecovery.sent("testFailoverCleanup")).toEqual(["vm-0", "vm-1"]);
    expect([...azure.siteRecovery.items.values()].map((i) => i.testVmId)).toEqual([undefined, undefined]);
  });
});

describe("SiteRecovery through a recovery plan", () => {
  function withRecoveryPlan(): FakeAzure {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.recoveryPlan = RECOVERY_PLAN;
    return azure;
  }

  it("fails the plan over as one unit: one send, recorded, then waits for its job", async () => {
    const azure = withRecoveryPlan();
    const first = pass(azure, "FailingOver", { recoveryPlan: true });
    expect(await asr.failover(first)).toMatchObject({ outcome: "wait" });
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual([RECOVERY_PLAN]);
    expect(first.status.operations).toMatchObject([
      { kind: "unplannedFailover", id: "job-1", target: `recoveryPlans/${RECOVERY_PLAN}` },
    ]);
    const running = pass(azure, "FailingOver", { recoveryPlan: true, last: first });
    expect(await asr.failover(running)).toMatchObject({ outcome: "wait" });
    azure.siteRecovery.finishJobs();
    const finished = pass(azure, "FailingOver", { recoveryPlan: true, last: running });
    expect(await asr.failover(finished)).toMatchObject({ outcome: "done" });
    expect(azure.siteRecovery.sent("unplannedFailover")).toHaveLength(1);
    expect(finished.status.operations?.[0]?.result).toBe("Succeeded");
  });

  it("adopts the plan's failover job already running instead of sending another", async () => {
    const azure = withRecoveryPlan();
    const job = azure.siteRecovery.startJob(RECOVERY_PLAN, "UnplannedFailover");
    const scope = pass(azure, "FailingOver", { recoveryPlan: true });
    expect(await asr.failover(scope)).toMatchObject({ outcome: "wait" });
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual([]);
    expect(scope.status.operations).toMatchObject([{ id: job, adopted: true }]);
  });

  it("ends Failed with the plan job's message when its failover failed", async () => {
    const azure = withRecoveryPlan();
    const first = pass(azure, "FailingOver", { recoveryPlan: true });
    await asr.failover(first);
    azure.siteRecovery.failJob(RECOVERY_PLAN, "Boot group 1 failed: vm-1 could not be started.");
    const result = await asr.failover(pass(azure, "FailingOver", { recoveryPlan: true, last: first }));
    expect(result).toMatchObject({ outcome: "failed", reason: "UnplannedFailoverFailed" });
    expect(result.message).toMatch(
      /recovery plan rp-avd failed .*Boot group 1 failed: vm-1 could not be started/,
    );
  });

  it("looks again when ASR is busy with the plan, never failing", async () => {
    const azure = withRecoveryPlan();
    azure.siteRecovery.failWith = {
      match: /unplannedFailover rp-avd/,
      error: new AzureError("the plan is running a job", "RecoveryPlanOperationInProgress", 400),
    };
    const scope = pass(azure, "FailingOver", { recoveryPlan: true });
    expect(await asr.failover(scope)).toMatchObject({ outcome: "wait" });
    expect(scope.status.operations).toBeUndefined();
  });
});

describe("SiteRecovery: a job that succeeded but whose items do not show it", () => {
  it("item by item: waits a while, never sends again, then fails naming the item and what ASR shows", async () => {
    const azure = siteRecoveryDeployment(2);
    const first = pass(azure, "FailingOver");
    await asr.failover(first);
    azure.siteRecovery.finishJobs(["vm-1"]);
    const seen = pass(azure, "FailingOver", { last: first });
    expect(await asr.failover(seen)).toMatchObject({ outcome: "wait" });
    expect(seen.status.operations?.map((o) => o.result)).toEqual(["Succeeded", "Succeeded"]);

    seen.clock.advance(SETTLE_MS / 1000 - 1);
    const later = pass(azure, "FailingOver", { last: seen });
    expect(await asr.failover(later)).toMatchObject({ outcome: "wait" });
    later.clock.advance(1);
    const result = await asr.failover(pass(azure, "FailingOver", { last: later }));
    expect(result).toMatchObject({ outcome: "failed", reason: "UnplannedFailoverFailed" });
    expect(result.message).toMatch(
      /failover job job-2 succeeded at .*, but ASR still does not show its result on 1 item\(s\) \(vm-1: Protected, active in Primary, allowed UnplannedFailover, DisableProtection, TestFailover\)/,
    );
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual(["vm-0", "vm-1"]);
  });

  it("through a recovery plan: waits a while without sending again, then fails naming the items left behind", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.siteRecovery.recoveryPlan = RECOVERY_PLAN;
    const first = pass(azure, "FailingOver", { recoveryPlan: true });
    await asr.failover(first);
    azure.siteRecovery.finishJobs(["vm-0"]);
    const seen = pass(azure, "FailingOver", { recoveryPlan: true, last: first });
    expect(await asr.failover(seen)).toMatchObject({
      outcome: "wait",
      message: expect.stringMatching(
        /job job-1 succeeded, waiting for ASR to show it on every item \(1 of 2/,
      ),
    });
    seen.clock.advance(SETTLE_MS / 1000);
    const result = await asr.failover(pass(azure, "FailingOver", { recoveryPlan: true, last: seen }));
    expect(result).toMatchObject({ outcome: "failed", reason: "UnplannedFailoverFailed" });
    expect(result.message).toMatch(
      /does not show its result on 1 item\(s\) \(vm-0: Protected.*recovery plan rp-avd/,
    );
    expect(azure.siteRecovery.sent("unplannedFailover")).toEqual([RECOVERY_PLAN]);
  });

  it("a reprotect that took effect waits out the resynchronisation however long it takes", async () => {
    const azure = siteRecoveryDeployment(1);
    itemsWentThrough(azure, "UnplannedFailover", "CommitFailover");
    const first = pass(azure, "Reprotecting", { spec: { reprotect: true } });
    await asr.reprotect(first);
    azure.siteRecovery.finishJobs(["vm-0"]);
    // Replicating the other way, not yet protected: ReverseReplicate is no longer allowed.
    azure.siteRecovery.items.get("vm-0")!.state = "Replicating";
    const seen = pass(azure, "Reprotecting", { spec: { reprotect: true }, last: first });
    expect(await asr.reprotect(seen)).toMatchObject({ outcome: "wait" });
    seen.clock.advance((10 * SETTLE_MS) / 1000);
    const later = pass(azure, "Reprotecting", { spec: { reprotect: true }, last: seen });
    expect(await asr.reprotect(later)).toMatchObject({ outcome: "wait" });
    azure.siteRecovery.items.get("vm-0")!.state = "Protected";
    expect(
      await asr.reprotect(pass(azure, "Reprotecting", { spec: { reprotect: true }, last: later })),
    ).toMatchObject({ outcome: "done" });
    expect(azure.siteRecovery.sent("reProtect")).toHaveLength(1);
  });
});
