// status.phases: when each phase started and ended, for the RTO, the per-phase durations and
// the report's timeline.
import { type FailoverPhase, type FailoverRequestStatus, metav1Time } from "../../api/index.ts";

/** When `phase` started (epoch ms); `now` if it has no record yet. */
export function phaseStartedAt(status: FailoverRequestStatus, phase: FailoverPhase, now: Date): number {
  const started = status.phases?.find((p) => p.phase === phase)?.startTime;
  return started ? Date.parse(started) : now.getTime();
}

export function startPhase(status: FailoverRequestStatus, phase: FailoverPhase, now: Date): void {
  if (status.phases?.some((p) => p.phase === phase)) return;
  status.phases = [...(status.phases ?? []), { phase, startTime: metav1Time(now) }];
}

export function endPhase(status: FailoverRequestStatus, phase: FailoverPhase, now: Date): void {
  const entry = status.phases?.find((p) => p.phase === phase);
  if (entry && !entry.completionTime) entry.completionTime = metav1Time(now);
}

/** Seconds each finished phase took. */
export function phaseSeconds(status: FailoverRequestStatus): Partial<Record<FailoverPhase, number>> {
  const out: Partial<Record<FailoverPhase, number>> = {};
  for (const p of status.phases ?? [])
    if (p.completionTime) out[p.phase] = (Date.parse(p.completionTime) - Date.parse(p.startTime)) / 1000;
  return out;
}
