// The protection states of an A2A item as the service names them: its coarse names in
// `protectionState` (the A2A details' `vmProtectionState` carries the same), the wording in
// `protectionStateDescription`, and what each state allows in `allowedOperations`. Where each
// name, wording and list comes from, and which are unconfirmed: docs/sim.md, "Sources: Site
// Recovery".
import type { ProtectedItem } from "./model.ts";

export const ProtectionState = {
  /** Initial replication (and the enable-protection job before it). */
  enabling: "UnprotectedStatesBegin",
  protected: "Protected",
  failingOver: "UnplannedFailoverTransitionStatesBegin",
  /** Failed over, waiting for a commit. */
  failedOver: "UnplannedFailoverCommitPendingStatesBegin",
  failoverFailed: "UnplannedFailoverFailed",
  committing: "CommitFailoverStatesBegin",
  committed: "UnplannedFailoverCommitted",
  reprotecting: "ReprotectStatesBegin",
} as const;
export type ProtectionState = (typeof ProtectionState)[keyof typeof ProtectionState];

export const TestFailoverState = {
  none: "None",
  running: "TestFailoverInitiated",
  completed: "TestFailoverCompleted",
  cleaningUp: "TestFailoverCleanupInitiated",
} as const;
export type TestFailoverState = (typeof TestFailoverState)[keyof typeof TestFailoverState];

const describeProtection: Record<ProtectionState, string> = {
  UnprotectedStatesBegin: "Enabling protection",
  Protected: "Protected",
  UnplannedFailoverTransitionStatesBegin: "Failover in progress",
  UnplannedFailoverCommitPendingStatesBegin: "Failover completed",
  UnplannedFailoverFailed: "Failover failed",
  CommitFailoverStatesBegin: "Commit in progress",
  UnplannedFailoverCommitted: "Failover committed",
  ReprotectStatesBegin: "Reprotect in progress",
};

const describeTestFailover: Record<TestFailoverState, string> = {
  None: "None",
  TestFailoverInitiated: "Test failover in progress",
  TestFailoverCompleted: "Test failover completed",
  TestFailoverCleanupInitiated: "Cleaning up test failover",
};

/** The portal's wording: a protected item whose test VMs still stand says so. */
export function protectionStateDescription(item: ProtectedItem): string {
  if (item.protectionState === ProtectionState.protected && item.testFailoverState !== TestFailoverState.none)
    return item.testFailoverState === TestFailoverState.completed
      ? "Cleanup test failover pending"
      : describeTestFailover[item.testFailoverState];
  return describeProtection[item.protectionState];
}

export const testFailoverStateDescription = (item: ProtectedItem) =>
  describeTestFailover[item.testFailoverState];

/** What the item's state allows, in the service's order; nothing while a job runs on it. */
export function allowedOperations(item: ProtectedItem): string[] {
  if (item.scenario) return [];
  switch (item.protectionState) {
    case ProtectionState.protected:
      if (item.testFailoverState === TestFailoverState.completed) return ["TestFailoverCleanup"];
      return ["UnplannedFailover", "DisableProtection", "TestFailover"];
    case ProtectionState.failedOver:
      return ["Commit", "ChangePit", "DisableProtection"];
    case ProtectionState.committed:
      return ["ReverseReplicate", "DisableProtection"];
    case ProtectionState.failoverFailed:
      return ["UnplannedFailover", "DisableProtection"];
    default:
      return ["DisableProtection"];
  }
}

/** A plan allows what every item of it allows, but never disables protection itself. */
export function planAllowedOperations(items: readonly ProtectedItem[]): string[] {
  const [first, ...rest] = items.map(allowedOperations);
  return (first ?? []).filter((op) => op !== "DisableProtection" && rest.every((ops) => ops.includes(op)));
}
