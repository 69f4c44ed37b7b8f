// What one step of a phase reports back: done, look again later, or failed for good. A step
// never waits on Azure itself; "later" is a requeue.

export type StepResult =
  /** The phase's work is complete. */
  | { outcome: "done"; message: string }
  /** Work is under way; look again after `recheckMs` on the request's clock. */
  | { outcome: "wait"; message: string; recheckMs: number }
  /** It cannot succeed: the request ends Failed with this reason and message (naming what to do). */
  | { outcome: "failed"; reason: string; message: string };

export const done = (message: string): StepResult => ({ outcome: "done", message });
export const wait = (message: string, recheckMs: number): StepResult => ({
  outcome: "wait",
  message,
  recheckMs,
});
export const failed = (reason: string, message: string): StepResult => ({
  outcome: "failed",
  reason,
  message,
});

/** How often running Azure work is looked at again (clock time). */
export const POLL_MS = 10_000;
