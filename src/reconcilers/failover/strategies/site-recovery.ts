// Strategy SiteRecovery: failover, commit, reprotect and a drill's cleanup are ASR actions on
// the recovery plan (if the spec names one) or on every protected session-host item. Each action
// looks before it acts: a job already running on the target is waited for (and adopted when it
// is this action's), a target already in the action's end state counts as done, and an action is
// sent only when ASR lists it in allowedOperations. Nothing is sent twice: a recorded operation
// is followed through its job, never repeated.
import {
  type FailoverOperation,
  type FailoverPhase,
  type FailoverRequestStatus,
  formatDuration,
} from "../../../api/index.ts";
import { classifyAzureError } from "../../../azure/classify.ts";
import type {
  FailoverDirection,
  ProtectedItemInfo,
  RecoveryPlanInfo,
  RecoveryPlanRef,
  SiteRecoveryOperation,
  VaultRef,
} from "../../../azure/gateways.ts";
import { resourceGroupOfId } from "../../inventory.ts";
import { some } from "../../some.ts";
import { completeOperation, findOperation, recordOperation, siteRecoveryOperation } from "../operations.ts";
import type { FailoverScope } from "../scope.ts";
import { count } from "../status.ts";
import { done, failed, POLL_MS, type StepResult, wait } from "../step.ts";
import type { FailoverStrategy, VerifyTarget } from "./strategy.ts";

/** At most this many item actions are sent per reconcile (about a full ARM write bucket; the pacer spaces them). */
const SENDS_PER_PASS = 200;
/**
 * How long a target may still not show the end state of a job that succeeded (clock time). ASR
 * updates the item as the job ends; past this, something else holds it, and waiting would never end.
 */
export const SETTLE_MS = 10 * 60_000;

type Side = "Primary" | "Recovery";

/** One ASR action as the phases use it. */
interface AsrAction {
  phase: FailoverPhase;
  kind: "unplannedFailover" | "testFailover" | "failoverCommit" | "reProtect" | "testFailoverCleanup";
  /** Its name in allowedOperations. */
  allowed: string;
  /** Words in the scenario name of a job of this action (the service prefixes a plan's with RecoveryPlan). */
  scenario: RegExp;
  /** The item is in the action's end state and idle. */
  reached(item: ProtectedItemInfo, to: Side): boolean;
  /** The item shows the action applied, though its end state is still ahead (a reprotect's resynchronisation). */
  applied?(item: ProtectedItemInfo): boolean;
  send(scope: FailoverScope, target: RecoveryPlanRef | ProtectedItemInfo): Promise<SiteRecoveryOperation>;
  /** Words for messages. */
  doing: string;
}

const sideOf = (region: "Primary" | "Secondary"): Side => (region === "Primary" ? "Primary" : "Recovery");
const direction = (scope: FailoverScope): FailoverDirection =>
  scope.from === "Primary" ? "PrimaryToRecovery" : "RecoveryToPrimary";
const idle = (item: ProtectedItemInfo) => item.currentJob === undefined;

const failover: AsrAction = {
  phase: "FailingOver",
  kind: "unplannedFailover",
  allowed: "UnplannedFailover",
  // Not TestFailover, CommitFailover or TestFailoverCleanup: adopting one would wait on it forever.
  scenario: /(?<!test|commit)failover$/i,
  doing: "failover",
  reached: (item, to) => idle(item) && item.activeLocation === to,
  send: (scope, target) =>
    scope.gateways.siteRecovery.beginFailover(
      target,
      scope.request.spec.type === "Planned"
        ? { type: "planned", direction: direction(scope) }
        : { type: "unplanned", direction: direction(scope), recoveryPointType: "LatestProcessed" },
    ),
};

const testFailover: AsrAction = {
  phase: "FailingOver",
  kind: "testFailover",
  allowed: "TestFailover",
  scenario: /testfailover(?!cleanup)/i,
  doing: "test failover",
  reached: (item) => idle(item) && item.allowedOperations.includes("TestFailoverCleanup"),
  send: (scope, target) =>
    scope.gateways.siteRecovery.beginFailover(target, {
      type: "test",
      direction: direction(scope),
      networkId: scope.request.spec.testNetworkId!,
    }),
};

const commit: AsrAction = {
  phase: "Committing",
  kind: "failoverCommit",
  allowed: "Commit",
  scenario: /commit/i,
  doing: "commit",
  reached: (item, to) =>
    idle(item) && item.activeLocation === to && !item.allowedOperations.includes("Commit"),
  send: (scope, target) => scope.gateways.siteRecovery.beginCommit(target),
};

const reprotect: AsrAction = {
  phase: "Reprotecting",
  kind: "reProtect",
  allowed: "ReverseReplicate",
  scenario: /reprotect|reverse/i,
  doing: "reprotect",
  reached: (item, to) =>
    idle(item) && item.activeLocation === to && item.allowedOperations.includes("UnplannedFailover"),
  // Replicating the other way: what remains is the initial replication, as long as the disks need.
  applied: (item) => idle(item) && !item.allowedOperations.includes("ReverseReplicate"),
  // Replicate from where the VMs run now back to the region they left.
  send: (scope, target) =>
    scope.gateways.siteRecovery.beginReprotect(
      target,
      scope.to === "Secondary" ? "RecoveryToPrimary" : "PrimaryToRecovery",
    ),
};

const cleanup: AsrAction = {
  phase: "CleaningUp",
  kind: "testFailoverCleanup",
  allowed: "TestFailoverCleanup",
  scenario: /cleanup/i,
  doing: "test failover cleanup",
  reached: (item) =>
    idle(item) && !item.allowedOperations.includes("TestFailoverCleanup") && !item.a2a?.testVmId,
  send: (scope, target) =>
    scope.gateways.siteRecovery.beginTestFailoverCleanup(
      target,
      `Drill ${scope.request.metadata.namespace}/${scope.request.metadata.name} is over`,
    ),
};

export const siteRecoveryStrategy: FailoverStrategy = {
  failover: (scope) => act(scope, scope.request.spec.type === "Test" ? testFailover : failover),
  commit: (scope) => act(scope, commit),
  reprotect: (scope) => act(scope, reprotect),
  cleanup: (scope) => act(scope, cleanup),

  async verifyTargets(scope): Promise<VerifyTarget[]> {
    if (scope.request.spec.type !== "Test") {
      const inventory = await scope.hosts();
      return inventory.hosts
        .filter((h) => h.region === scope.to)
        .map((h) => ({ name: h.info.name, available: h.info.status === "Available", status: h.info.status }));
    }
    // A drill's test VMs sit in an isolated network: they count once they run.
    const testVms = (await planItems(scope)).map((i) => i.a2a?.testVmId).filter((id): id is string => !!id);
    const groups = [...new Set(testVms.map((id) => resourceGroupOfId(id)).filter((g): g is string => !!g))];
    const power = new Map<string, string>();
    for (const rg of groups)
      for (const vm of await scope.gateways.compute.listPowerStates(rg))
        power.set(vm.id.toLowerCase(), vm.powerState);
    return testVms.map((id) => {
      const state = power.get(id.toLowerCase()) ?? "missing";
      return { name: id.split("/").at(-1) ?? id, available: state === "running", status: state };
    });
  },

  async preview(scope) {
    const items = await planItems(scope);
    const recoveryPlan = scope.plan.spec.siteRecovery?.recoveryPlanName;
    const action = scope.request.spec.type === "Test" ? testFailover : failover;
    const pending = items.filter((i) => !action.reached(i, sideOf(scope.to)));
    const steps = [
      recoveryPlan
        ? `${action.doing} of recovery plan ${recoveryPlan} (${pending.length} item(s))`
        : `${action.doing} of ${pending.length} protected item(s): ${some(pending.map((i) => i.friendlyName))}`,
    ];
    return {
      itemsToFailOver: pending.length,
      vmsToStart: 0,
      writes: recoveryPlan ? 1 : pending.length,
      ...(recoveryPlan ? { recoveryPlan } : {}),
      steps,
    };
  },
};

/** The protected items of the plan's session hosts (matched by the VM they protect or run on). */
export async function planItems(scope: FailoverScope): Promise<ProtectedItemInfo[]> {
  const [inventory, items] = await Promise.all([scope.hosts(), scope.protectedItems()]);
  const vms = new Set(inventory.hosts.map((h) => h.info.vmResourceId?.toLowerCase()).filter((id) => !!id));
  return items.filter(
    (i) =>
      vms.has(i.a2a?.vmId?.toLowerCase()) ||
      (i.a2a?.recoveryVmId && vms.has(i.a2a.recoveryVmId.toLowerCase())),
  );
}

function vaultOf(scope: FailoverScope): VaultRef {
  const sr = scope.plan.spec.siteRecovery!;
  return { resourceGroup: sr.vaultResourceGroup, vault: sr.vaultName };
}

async function act(scope: FailoverScope, action: AsrAction): Promise<StepResult> {
  const recoveryPlan = scope.plan.spec.siteRecovery?.recoveryPlanName;
  const ref = recoveryPlan ? { ...vaultOf(scope), recoveryPlan } : undefined;
  const plan = ref ? await scope.gateways.siteRecovery.getRecoveryPlan(ref) : undefined;
  if (ref && !plan)
    return failed(
      "RecoveryPlanNotFound",
      `recovery plan ${ref.recoveryPlan} (spec.siteRecovery.recoveryPlanName) was not found in vault ${ref.vault}: create it, or remove the field to act item by item`,
    );
  // While the plan's job runs, one read a look: its items are read once it has ended.
  if (ref && plan?.currentJob) {
    const planId = `recoveryPlans/${ref.recoveryPlan}`;
    if (
      !findOperation(scope.status, action.kind, planId) &&
      action.scenario.test(plan.currentJob.scenarioName)
    )
      adopt(scope, action, planId, plan.currentJob.jobName);
    return wait(
      `${action.doing} of recovery plan ${ref.recoveryPlan} running (job ${plan.currentJob.jobName})`,
      POLL_MS,
    );
  }
  const items = await planItems(scope);
  if (items.length === 0)
    return failed(
      "NoProtectedItems",
      `no protected item of vault ${scope.plan.spec.siteRecovery?.vaultName} replicates the plan's session hosts: nothing to ${action.doing}; check the plan's Protected condition`,
    );
  const to = sideOf(scope.to);
  if (action === failover) recordRpo(scope.status, items);
  if (action === failover || action === testFailover)
    scope.status.totals = { ...scope.status.totals, items: items.length };
  const result =
    ref && plan
      ? await actOnRecoveryPlan(scope, action, ref, plan, items, to)
      : await actOnItems(scope, action, items, to);
  if (action === failover || action === testFailover)
    count(scope.status, { itemsFailedOver: items.filter((i) => action.reached(i, to)).length });
  return result;
}

/** The worst replication lag when the failover was first sent: what a real outage would lose. */
function recordRpo(status: FailoverRequestStatus, items: ProtectedItemInfo[]): void {
  if (status.rpoAtFailoverSeconds !== undefined) return;
  const rpos = items.map((i) => i.a2a?.rpoSeconds).filter((r): r is number => r !== undefined);
  if (rpos.length === 0) return;
  const worst = Math.max(...rpos);
  status.rpoAtFailoverSeconds = worst;
  status.rpoAtFailover = formatDuration(worst * 1000);
}

async function actOnItems(
  scope: FailoverScope,
  action: AsrAction,
  items: ProtectedItemInfo[],
  to: Side,
): Promise<StepResult> {
  const vault = vaultOf(scope);
  const now = scope.now();
  const problems: string[] = [];
  const sends: ProtectedItemInfo[] = [];
  let running = 0;
  for (const item of items) {
    const recorded = findOperation(scope.status, action.kind, item.item);
    if (action.reached(item, to)) {
      if (recorded) completeOperation(recorded, "Succeeded", now);
      continue;
    }
    if (item.currentJob) {
      running++;
      if (!recorded && action.scenario.test(item.currentJob.scenarioName))
        adopt(scope, action, item.item, item.currentJob.jobName);
      continue;
    }
    if (recorded && !recorded.result) {
      // Sent before and the item is idle but not there: the job's own record says why.
      const job = await scope.gateways.siteRecovery.checkOperation(siteRecoveryOperation(recorded, vault));
      if (job.status === "running") {
        running++;
        continue;
      }
      if (job.status === "failed" || job.status === "canceled") {
        completeOperation(recorded, job.status === "failed" ? "Failed" : "Cancelled", now);
        problems.push(
          job.status === "failed"
            ? job.error.message
            : `${action.doing} job ${recorded.id} of ${item.friendlyName} was cancelled`,
        );
        continue;
      }
      // Succeeded but the item does not show it yet: look again, for a while.
      completeOperation(recorded, "Succeeded", now);
      running++;
      continue;
    }
    if (recorded?.result === "Succeeded") {
      if (unsettled(action, recorded, [item], now).length > 0)
        problems.push(notSettled(action, recorded, [item]));
      else running++;
      continue;
    }
    if (recorded?.result === "Failed") {
      problems.push(`${action.doing} of ${item.friendlyName} failed (job ${recorded.id})`);
      continue;
    }
    if (!item.allowedOperations.includes(action.allowed)) {
      problems.push(
        `ASR does not allow ${action.doing} of ${item.friendlyName} now (allowed: ${item.allowedOperations.join(", ") || "none"})`,
      );
      continue;
    }
    sends.push(item);
  }
  if (problems.length > 0)
    return failed(
      `${capitalised(action.kind)}Failed`,
      `${action.doing} failed for ${problems.length} protected item(s): ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}. Fix the cause in the vault (the job's recommended action), then create a new FailoverRequest: items already done are kept, the rest are tried again`,
    );
  const batch = sends.slice(0, SENDS_PER_PASS);
  const outcomes = await Promise.allSettled(batch.map((item) => action.send(scope, item)));
  let refused = 0;
  const errors: string[] = [];
  outcomes.forEach((outcome, i) => {
    const item = batch[i]!;
    if (outcome.status === "fulfilled") record(scope, action, item.item, outcome.value);
    else if (isBusy(outcome.reason)) refused++;
    else errors.push(describeRefusal(outcome.reason));
  });
  // What was sent is recorded (the draft is written) even when another item was refused for good.
  if (errors.length > 0)
    return failed(
      "AzureRefused",
      `Azure refused the ${action.doing} of ${errors.length} item(s): ${errors.slice(0, 3).join("; ")}`,
    );
  const left = items.filter((i) => !action.reached(i, to)).length;
  if (left === 0) return done(`${action.doing} done for all ${items.length} protected item(s)`);
  const sentMore = sends.length > batch.length;
  return wait(
    `${action.doing}: ${items.length - left} of ${items.length} item(s) done, ${running + batch.length - refused} running${sentMore ? `, ${sends.length - batch.length} to send` : ""}`,
    sentMore ? 0 : POLL_MS,
  );
}

async function actOnRecoveryPlan(
  scope: FailoverScope,
  action: AsrAction,
  ref: RecoveryPlanRef,
  plan: RecoveryPlanInfo,
  items: ProtectedItemInfo[],
  to: Side,
): Promise<StepResult> {
  const now = scope.now();
  const planId = `recoveryPlans/${ref.recoveryPlan}`;
  const recorded = findOperation(scope.status, action.kind, planId);
  // A session host the plan does not hold would be left behind: refuse before anything is sent.
  const inPlan = new Set(plan.bootGroups.flat().map((id) => id.toLowerCase()));
  const outside = items.filter((i) => !inPlan.has(i.id.toLowerCase()));
  if (outside.length > 0 && !recorded)
    return failed(
      "RecoveryPlanIncomplete",
      `recovery plan ${ref.recoveryPlan} lacks ${outside.length} protected session host(s): ${some(outside.map((i) => i.friendlyName))}; nothing was sent: add them to one of its boot groups (or remove spec.siteRecovery.recoveryPlanName to act item by item), then create a new FailoverRequest`,
    );
  const pending = items.filter((i) => inPlan.has(i.id.toLowerCase()) && !action.reached(i, to));
  if (pending.length === 0) {
    if (recorded) completeOperation(recorded, "Succeeded", now);
    return done(`${action.doing} of recovery plan ${ref.recoveryPlan} done (${items.length} item(s))`);
  }
  const progress = `${items.length - pending.length} of ${items.length} item(s) done`;
  if (recorded && !recorded.result) {
    const job = await scope.gateways.siteRecovery.checkOperation(siteRecoveryOperation(recorded, ref));
    if (job.status === "failed" || job.status === "canceled") {
      completeOperation(recorded, job.status === "failed" ? "Failed" : "Cancelled", now);
      const why = job.status === "failed" ? job.error.message : `job ${recorded.id} was cancelled`;
      return failed(
        `${capitalised(action.kind)}Failed`,
        `${action.doing} of recovery plan ${ref.recoveryPlan} failed (${progress}): ${why}. Fix the cause in the vault, then create a new FailoverRequest: items already done are kept`,
      );
    }
    if (job.status === "succeeded") completeOperation(recorded, "Succeeded", now);
  }
  if (recorded?.result === "Succeeded") {
    const stuck = unsettled(action, recorded, pending, now);
    if (stuck.length > 0)
      return failed(
        `${capitalised(action.kind)}Failed`,
        `${notSettled(action, recorded, stuck)} (recovery plan ${ref.recoveryPlan}, ${progress}). Look at those items in the vault, then create a new FailoverRequest: items already done are kept`,
      );
    return wait(
      `${action.doing} of recovery plan ${ref.recoveryPlan}: job ${recorded.id} succeeded, waiting for ASR to show it on every item (${progress})`,
      POLL_MS,
    );
  }
  if (recorded && !recorded.result) {
    return wait(
      `${action.doing} of recovery plan ${ref.recoveryPlan}: waiting for ASR (${progress})`,
      POLL_MS,
    );
  }
  if (!plan.allowedOperations.includes(action.allowed))
    return failed(
      "OperationNotAllowed",
      `ASR does not allow ${action.doing} of recovery plan ${ref.recoveryPlan} now (allowed: ${plan.allowedOperations.join(", ") || "none"}; ${progress}): check its items in the vault`,
    );
  try {
    record(scope, action, planId, await action.send(scope, ref));
  } catch (error) {
    if (!isBusy(error)) throw error;
  }
  return wait(`${action.doing} of recovery plan ${ref.recoveryPlan} started (${progress})`, POLL_MS);
}

/** The targets that still do not show the result of a job that succeeded SETTLE_MS ago or more. */
function unsettled(
  action: AsrAction,
  op: FailoverOperation,
  items: ProtectedItemInfo[],
  now: Date,
): ProtectedItemInfo[] {
  if (op.completedAt === undefined || now.getTime() - Date.parse(op.completedAt) < SETTLE_MS) return [];
  return items.filter((i) => !action.applied?.(i));
}

function notSettled(action: AsrAction, op: FailoverOperation, items: ProtectedItemInfo[]): string {
  const shown = items
    .slice(0, 5)
    .map(
      (i) =>
        `${i.friendlyName}: ${i.protectionStateDescription || i.protectionState}, active in ${i.activeLocation}, allowed ${i.allowedOperations.join(", ") || "none"}`,
    );
  return `${action.doing} job ${op.id} succeeded at ${op.completedAt}, but ASR still does not show its result on ${items.length} item(s) (${shown.join("; ")}${items.length > 5 ? "; …" : ""})`;
}

function record(scope: FailoverScope, action: AsrAction, target: string, op: SiteRecoveryOperation): void {
  recordOperation(
    scope.status,
    { step: action.phase, kind: action.kind, id: op.job.name, target },
    scope.now(),
  );
}

/** A job of this action found running with no record of it: sent before a restart, or by someone else. */
function adopt(scope: FailoverScope, action: AsrAction, target: string, jobName: string): void {
  recordOperation(
    scope.status,
    { step: action.phase, kind: action.kind, id: jobName, target, adopted: true },
    scope.now(),
  );
}

/** ASR refused because a job started meanwhile (or Azure did not answer): look again rather than fail. */
function isBusy(error: unknown): boolean {
  return classifyAzureError(error).kind === "transient";
}

function describeRefusal(error: unknown): string {
  const failure = classifyAzureError(error);
  return failure.kind === "needsPerson" ? `${failure.message}; ${failure.fix}` : failure.message;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
