// A request's conditions, set through one helper: each step's condition (Drained, FailedOver,
// …) from what its phase reported, summarised into kstatus's Ready/Reconciling/Stalled; and the
// summary a plan keeps of its active and last failover.
import {
  type ConditionInput,
  type FailoverCounters,
  type FailoverPhase,
  type FailoverRequest,
  type FailoverRequestStatus,
  type FailoverSummary,
  setCondition,
} from "../../api/index.ts";
import { type Health, withHealth } from "../kstatus.ts";
import type { StepCondition } from "./phases.ts";

export function setStepCondition(
  status: FailoverRequestStatus,
  input: Omit<ConditionInput, "type"> & { type: StepCondition },
  generation: number,
  now: Date,
): void {
  status.conditions = setCondition(status.conditions, input, generation, now);
}

/** kstatus from the phase: running is Reconciling, Succeeded is Ready, Failed is Stalled. */
export function summarise(
  status: FailoverRequestStatus,
  reason: string,
  generation: number,
  now: Date,
): void {
  const message = status.message ?? "";
  const health: Health =
    status.phase === "Succeeded"
      ? { state: "Ready", reason, message }
      : status.phase === "Failed" || status.phase === "Rejected"
        ? { state: "Stalled", reason, message }
        : { state: "Reconciling", reason, message };
  status.conditions = withHealth(status.conditions, health, generation, now);
}

/** What a plan's status.activeFailover / lastFailover says about a request. */
export function failoverSummary(request: FailoverRequest, phase: FailoverPhase): FailoverSummary {
  const s = request.status ?? {};
  return {
    name: request.metadata.name!,
    phase,
    type: request.spec.type,
    ...(request.spec.direction ? { direction: request.spec.direction } : {}),
    ...(s.rto ? { rto: s.rto } : {}),
    ...(s.startTime ? { startTime: s.startTime } : {}),
    ...(s.completionTime ? { completionTime: s.completionTime } : {}),
  };
}

/** Sets some of the progress counters; the others keep their value (0 until counted). */
export function count(status: FailoverRequestStatus, counts: Partial<FailoverCounters>): void {
  status.counters = {
    hostsDrained: 0,
    sessionsNotified: 0,
    sessionsLoggedOff: 0,
    itemsFailedOver: 0,
    hostsVerified: 0,
    ...status.counters,
    ...counts,
  };
}
