// status.operations: every Azure action a request started (or found running and adopted),
// recorded in the status draft before anything waits on it, with its outcome once seen. A
// restarted operator reads them back to follow the same ASR jobs instead of starting new ones.
import {
  type FailoverOperation,
  type FailoverPhase,
  type FailoverRequestStatus,
  metav1Time,
} from "../../api/index.ts";
import type { SiteRecoveryOperation, VaultRef } from "../../azure/gateways.ts";

/** The latest operation of `kind` on `target` (ids compared as ARM does, ignoring case). */
export function findOperation(
  status: FailoverRequestStatus,
  kind: string,
  target: string,
): FailoverOperation | undefined {
  const t = target.toLowerCase();
  return status.operations?.findLast((o) => o.kind === kind && o.target?.toLowerCase() === t);
}

export function recordOperation(
  status: FailoverRequestStatus,
  op: { step: FailoverPhase; kind: string; id: string; target: string; adopted?: boolean },
  now: Date,
): FailoverOperation {
  const recorded: FailoverOperation = {
    step: op.step,
    kind: op.kind,
    id: op.id,
    target: op.target,
    startedAt: metav1Time(now),
    ...(op.adopted ? { adopted: true } : {}),
  };
  status.operations = [...(status.operations ?? []), recorded];
  return recorded;
}

/** Marks an operation ended; the draft holds the same object, so this changes the draft. */
export function completeOperation(
  op: FailoverOperation,
  result: NonNullable<FailoverOperation["result"]>,
  now: Date,
): void {
  if (op.result) return;
  op.result = result;
  op.completedAt = metav1Time(now);
}

/** A recorded ASR operation as the Site Recovery gateway follows it (the job is named by op.id). */
export function siteRecoveryOperation(op: FailoverOperation, vault: VaultRef): SiteRecoveryOperation {
  return {
    kind: `siteRecovery/${op.kind}`,
    target: op.target ?? "",
    resumeToken: op.id,
    job: { ...vault, name: op.id },
  };
}
