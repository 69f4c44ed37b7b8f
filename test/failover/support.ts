// What the failover tests check against the emulator's audit log: exactly-once ASR actions, and
// no user logged off before their notice plus the grace period.
import { expect } from "vitest";
import { type FailoverRequest, type FailoverRequestSpec, getCondition } from "../../src/api/index.ts";
import type { RunningSim } from "../../src/sim/server.ts";
import { failover, until } from "../operator/fixtures.ts";
import type { Rehearsal } from "../support/rehearsal.ts";

const SEND_MESSAGE = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/sendMessage/action";
const LOG_OFF = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/delete";

/** Creates a FailoverRequest for the rehearsal's plan. */
export async function requestFailover(
  r: Rehearsal,
  name: string,
  spec: Partial<FailoverRequestSpec> = {},
): Promise<FailoverRequest> {
  const body = failover(name, r.planName);
  body.spec = { ...body.spec, ...spec };
  return r.k.createRequest(r.namespace, body);
}

/** Waits until the request is Succeeded or Failed, as `kubectl wait` would see it. */
export function finished(r: Rehearsal, name: string, ms = 60_000): Promise<FailoverRequest> {
  return until(
    `${name} finished`,
    async () => {
      const got = await r.k.getRequest(r.namespace, name);
      const phase = got.status?.phase;
      return phase === "Succeeded" || phase === "Failed" ? got : undefined;
    },
    ms,
  );
}

/** Asserts that the request succeeded, showing its message when it did not. */
export function expectSucceeded(request: FailoverRequest): void {
  expect({ phase: request.status?.phase, message: request.status?.message }).toMatchObject({
    phase: "Succeeded",
  });
  const ready = getCondition(request.status?.conditions, "Ready");
  expect(ready?.status).toBe("True");
  expect(ready?.observedGeneration).toBe(request.metadata.generation);
}

/**
 * Every log-off the emulator saw came at least `graceSeconds` after a notice to the same session
 * (same session resource, same user). Returns how many log-offs there were.
 */
export function expectNoEarlyLogOff(sim: RunningSim, graceSeconds: number): number {
  const notices = sim.admin.audit({ operation: SEND_MESSAGE });
  const logOffs = sim.admin.audit({ operation: LOG_OFF });
  for (const off of logOffs) {
    const notice = notices.find((n) => n.target === off.target && n.details?.user === off.details?.user);
    expect(notice, `log-off of ${off.target} without a notice`).toBeDefined();
    const gap = (Date.parse(off.time) - Date.parse(notice!.time)) / 1000;
    expect(gap, `log-off of ${off.target} ${gap}s after its notice`).toBeGreaterThanOrEqual(graceSeconds);
  }
  return logOffs.length;
}

/** ASR actions of one kind per target, from the audit log (each must be 1 for exactly-once). */
export function actionsPerTarget(sim: RunningSim, operationSuffix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of sim.admin.audit())
    if (e.operation.endsWith(operationSuffix)) counts.set(e.target, (counts.get(e.target) ?? 0) + 1);
  return counts;
}

/** Exactly once: each of `targets` ASR targets got one failover, one commit and one reprotect. */
export function expectExactlyOnce(sim: RunningSim, targets: number): void {
  for (const action of ["unplannedFailover/action", "failoverCommit/action", "reProtect/action"]) {
    const counts = [...actionsPerTarget(sim, action).values()];
    expect(counts, `${action} per target`).toEqual(Array(targets).fill(1));
  }
}
