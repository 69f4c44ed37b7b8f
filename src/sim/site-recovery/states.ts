// The protection states of an A2A item: what each allows (the service's `allowedOperations`)
// and how the service describes it.
import type { ProtectedItem } from "./model.ts";

/** What each state allows, as the service lists it in `allowedOperations`. */
export function allowedOperations(item: ProtectedItem): string[] {
  if (item.scenario) return [];
  switch (item.protectionState) {
    case "Protected":
      return item.testFailoverState === "None"
        ? ["UnplannedFailover", "TestFailover", "DisableProtection"]
        : ["UnplannedFailover", "TestFailoverCleanup", "DisableProtection"];
    case "UnplannedFailoverCommitRequired":
      return ["Commit", "ChangePit", "DisableProtection"];
    case "UnplannedFailoverCommitted":
      return ["ReverseReplicate", "DisableProtection"];
    case "UnplannedFailoverFailed":
      return ["UnplannedFailover", "DisableProtection"];
    default:
      return ["DisableProtection"];
  }
}

export const describeState: Record<string, string> = {
  EnablingProtection: "Enabling protection",
  Protected: "Protected",
  UnplannedFailoverInProgress: "Failover in progress",
  UnplannedFailoverCommitRequired: "Failover completed",
  UnplannedFailoverFailed: "Failover failed",
  FailoverCommitInProgress: "Commit in progress",
  UnplannedFailoverCommitted: "Failover committed",
  ReprotectInProgress: "Reprotect in progress",
  TestFailoverInProgress: "Test failover in progress",
  TestFailoverCompleted: "Test failover completed; clean up the test environment",
  MarkedForDeletion: "Cleaning up test environment",
  None: "None",
};
