// Planned failovers and drills of the standby strategies, end to end: the real API server, the
// operator in this process and the emulator through the real SDK clients.
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition } from "../../src/api/index.ts";
import { until } from "../operator/fixtures.ts";
import { type Rehearsal, rehearsals } from "../support/rehearsal.ts";
import { expectNoEarlyLogOff, expectSucceeded, finished, requestFailover } from "./support.ts";

const rehearse = rehearsals();

function planWhere(r: Rehearsal, what: string, check: (p: AvdDisasterRecoveryPlan) => boolean, ms = 30_000) {
  return until(
    what,
    async () => {
      const p = await r.k.getPlan(r.namespace, r.planName);
      return check(p) ? p : undefined;
    },
    ms,
  );
}

const ready = (p: AvdDisasterRecoveryPlan) => getCondition(p.status?.conditions, "Ready")?.status === "True";

describe.each(["StandbyHostPool", "SharedHostPool"] as const)("%s", (strategy) => {
  it("fails over as planned: users told, then logged off after the grace period; standby hosts serve; the old primary becomes the standby", async () => {
    const r = await rehearse(strategy, { spec: { drain: { gracePeriod: "90s" }, observeInterval: "30s" } });
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "to-neu");
    const done = await finished(r, "to-neu");
    expectSucceeded(done);
    const s = done.status!;
    expect(s.fromRegion).toBe("Primary");
    expect(s.toRegion).toBe("Secondary");
    expect(s.phases?.map((p) => p.phase)).toEqual(["Draining", "FailingOver", "Verifying"]);
    const users = strategy === "StandbyHostPool" ? 4 : 3;
    expect(s.counters).toMatchObject({
      sessionsNotified: users,
      sessionsLoggedOff: users,
      hostsVerified: strategy === "StandbyHostPool" ? 3 : 2,
    });
    expect(s.rtoSeconds).toBeGreaterThanOrEqual(90);
    expect(expectNoEarlyLogOff(r.sim, 90)).toBe(users);

    const after = await planWhere(
      r,
      "active region Secondary, old primary deallocated",
      (p) => p.status?.activeRegion === "Secondary" && ready(p),
    );
    expect(after.status?.lastFailover).toMatchObject({ name: "to-neu", phase: "Succeeded", rto: s.rto });
    expect(after.status?.activeFailover).toBeUndefined();
    expect(after.status?.primary?.runningVms).toBe(0);
    expect(after.status?.primary?.drainingHosts).toBe(after.status?.primary?.sessionHosts);
    expect(getCondition(after.status?.conditions, "StandbyDeallocated")?.message).toContain("westeurope");
    // The finalizer is gone once the plan is released.
    expect((await r.k.getRequest(r.namespace, "to-neu")).metadata.finalizers ?? []).toEqual([]);
  });
});
