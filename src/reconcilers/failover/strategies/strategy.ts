// The strategy-specific part of a failover behind one small interface: how the target region
// gets its session hosts, what a drill verifies, and the steps only ASR has.
import type { FailoverScope } from "../scope.ts";
import type { StepResult } from "../step.ts";

/** One thing the verify phase counts: a session host (or a drill's test VM) and whether it serves. */
export interface VerifyTarget {
  name: string;
  available: boolean;
  status: string;
}

/** What a dry run reports the failover step would do. */
export interface FailoverPreviewPart {
  itemsToFailOver: number;
  vmsToStart: number;
  writes: number;
  recoveryPlan?: string;
  steps: string[];
}

export interface FailoverStrategy {
  /** Start the target region: fail the ASR items over, or power the standby VMs on. */
  failover(scope: FailoverScope): Promise<StepResult>;
  /** What verify counts in the target region. */
  verifyTargets(scope: FailoverScope): Promise<VerifyTarget[]>;
  /** Make the failover final (ASR commit); nothing to do for standby hosts. */
  commit(scope: FailoverScope): Promise<StepResult>;
  /** Replicate back (ASR reprotect); nothing to do for standby hosts. */
  reprotect(scope: FailoverScope): Promise<StepResult>;
  /** Undo a drill: ASR's test failover cleanup, or deallocate the standby VMs again. */
  cleanup(scope: FailoverScope): Promise<StepResult>;
  preview(scope: FailoverScope): Promise<FailoverPreviewPart>;
}
