// The three conditions kstatus (Flux, kpt, Argo CD through our health check) reads, set together
// so they never contradict each other: Stalled and Reconciling are never both True, and Ready
// is True only when neither is.
import { type Condition, type ConditionStatus, setCondition } from "../api/index.ts";

export type Health =
  /** Done and as desired. */
  | { state: "Ready"; reason: string; message: string }
  /** Working towards the spec (or waiting for something that will come). */
  | { state: "Reconciling"; reason: string; message: string; ready?: ConditionStatus }
  /** Cannot progress until someone changes something; the message says what. */
  | { state: "Stalled"; reason: string; message: string }
  /** Reconciled, but not as desired for a reason the operator does not work on (replication unhealthy, say). */
  | { state: "Degraded"; reason: string; message: string }
  /** Not known (for example: nothing observed yet). */
  | { state: "Unknown"; reason: string; message: string };

export function withHealth(
  conditions: readonly Condition[] | undefined,
  health: Health,
  generation: number,
  now: Date = new Date(),
): Condition[] {
  const { reason, message } = health;
  const ready: ConditionStatus =
    health.state === "Ready"
      ? "True"
      : health.state === "Unknown"
        ? "Unknown"
        : health.state === "Reconciling"
          ? (health.ready ?? "False")
          : "False";
  let next = setCondition(conditions, { type: "Ready", status: ready, reason, message }, generation, now);
  next = setCondition(
    next,
    { type: "Reconciling", status: health.state === "Reconciling" ? "True" : "False", reason, message },
    generation,
    now,
  );
  return setCondition(
    next,
    { type: "Stalled", status: health.state === "Stalled" ? "True" : "False", reason, message },
    generation,
    now,
  );
}
