// The runbook, in one list: which phases a request goes through, in order, and the condition
// each one sets. A planned or unplanned failover drains, fails over and verifies, then (ASR)
// commits and reprotects as the spec asks; a drill (Test) fails over, verifies and cleans up.
import type { AvdDisasterRecoveryPlan, FailoverPhase, FailoverRequest } from "../../api/index.ts";
import { cleanup } from "./phases/cleanup.ts";
import { commit } from "./phases/commit.ts";
import { drain } from "./phases/drain.ts";
import { failover } from "./phases/failover.ts";
import { reprotect } from "./phases/reprotect.ts";
import { verify } from "./phases/verify.ts";
import type { FailoverScope } from "./scope.ts";
import type { StepResult } from "./step.ts";
import { siteRecoveryStrategy } from "./strategies/site-recovery.ts";
import { standbyStrategy } from "./strategies/standby.ts";
import type { FailoverStrategy } from "./strategies/strategy.ts";

export type StepCondition = "Drained" | "FailedOver" | "Verified" | "Committed" | "Reprotected" | "CleanedUp";

export interface Phase {
  name: FailoverPhase;
  /** The condition that is True once the phase is done. */
  condition: StepCondition;
  run(scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult>;
}

const DRAIN: Phase = { name: "Draining", condition: "Drained", run: drain };
const FAILOVER: Phase = { name: "FailingOver", condition: "FailedOver", run: failover };
const VERIFY: Phase = { name: "Verifying", condition: "Verified", run: verify };
const COMMIT: Phase = { name: "Committing", condition: "Committed", run: commit };
const REPROTECT: Phase = { name: "Reprotecting", condition: "Reprotected", run: reprotect };
const CLEANUP: Phase = { name: "CleaningUp", condition: "CleanedUp", run: cleanup };

export function runbook(request: FailoverRequest, plan: AvdDisasterRecoveryPlan): Phase[] {
  if (request.spec.type === "Test") return [FAILOVER, VERIFY, CLEANUP];
  const asr = plan.spec.strategy === "SiteRecovery";
  const commits = asr && (request.spec.commit ?? true);
  return [
    DRAIN,
    FAILOVER,
    VERIFY,
    ...(commits ? [COMMIT] : []),
    ...(commits && request.spec.reprotect ? [REPROTECT] : []),
  ];
}

export function strategyOf(plan: AvdDisasterRecoveryPlan): FailoverStrategy {
  return plan.spec.strategy === "SiteRecovery" ? siteRecoveryStrategy : standbyStrategy;
}
