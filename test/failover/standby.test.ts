// Planned failovers and drills of the standby strategies, end to end: the real API server, the
// operator in this process and the emulator through the real SDK clients.
import { describe, expect, it } from "vitest";
import { getCondition } from "../../src/api/index.ts";
import { planWhere, ready, rehearsals } from "../support/rehearsal.ts";
import { expectNoEarlyLogOff, expectSucceeded, finished, requestFailover } from "./support.ts";

const rehearse = rehearsals();

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

describe("StandbyHostPool", () => {
  it("fails back to the primary after a failover: the primary is powered on again and the secondary drained", async () => {
    const r = await rehearse("StandbyHostPool", {
      spec: { drain: { gracePeriod: "30s" }, observeInterval: "30s" },
    });
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "to-neu");
    expectSucceeded(await finished(r, "to-neu"));
    await planWhere(r, "Secondary and Ready", (p) => p.status?.activeRegion === "Secondary" && ready(p));
    // Users come back to the secondary's hosts before the failback.
    r.sim.admin.connectUser({ hostPool: "rg-avd-neu/hp-neu", user: "frank@contoso.com" });
    await requestFailover(r, "back-to-weu", { direction: "ToPrimary" });
    const back = await finished(r, "back-to-weu");
    expectSucceeded(back);
    expect(back.status).toMatchObject({ fromRegion: "Secondary", toRegion: "Primary" });
    expect(back.status?.counters).toMatchObject({
      sessionsNotified: 1,
      sessionsLoggedOff: 1,
      hostsVerified: 3,
    });
    const p = await planWhere(
      r,
      "Primary, secondary deallocated",
      (p) => p.status?.activeRegion === "Primary" && ready(p),
    );
    expect(p.status?.secondary?.runningVms).toBe(0);
    expect(p.status?.primary?.availableHosts).toBe(3);
    expect(p.status?.lastFailover?.name).toBe("back-to-weu");
  });

  it("refuses a failover towards the region that is already active", async () => {
    const r = await rehearse("StandbyHostPool");
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "back-already", { direction: "ToPrimary" });
    const done = await finished(r, "back-already");
    expect(done.status?.phase).toBe("Failed");
    expect(done.status?.message).toMatch(/already active in its primary region.*direction ToSecondary/);
    expect(r.sim.admin.audit()).toEqual(
      expect.not.arrayContaining([
        expect.objectContaining({ operation: expect.stringContaining("sendMessage") }),
      ]),
    );
  });

  it("a drill starts the standby hosts, verifies them without letting users in, and deallocates them again", async () => {
    const r = await rehearse("StandbyHostPool", { spec: { observeInterval: "30s" } });
    await planWhere(r, "plan Ready", ready);
    const before = r.sim.admin.audit().length;
    await requestFailover(r, "drill", { type: "Test" });
    const done = await finished(r, "drill");
    expectSucceeded(done);
    expect(done.status?.phases?.map((p) => p.phase)).toEqual(["FailingOver", "Verifying", "CleaningUp"]);
    expect(done.status?.counters?.hostsVerified).toBe(3);
    const writes = r.sim.admin.audit({ since: r.sim.admin.audit()[before - 1]?.seq ?? 0 });
    // Nobody was told or logged off, and no standby host was opened to users.
    expect(writes.filter((w) => /usersessions|sessionhosts\/write/.test(w.operation))).toEqual([]);
    const p = await planWhere(r, "Primary still, standby deallocated", (p) => ready(p));
    expect(p.status?.activeRegion).toBe("Primary");
    expect(p.status?.secondary?.runningVms).toBe(0);
    expect(p.status?.lastFailover).toMatchObject({ name: "drill", type: "Test", phase: "Succeeded" });
  });

  it("a dry run reports what it would do and sends no write at all", async () => {
    const r = await rehearse("StandbyHostPool", { spec: { drain: { gracePeriod: "5m" } } });
    await planWhere(r, "plan Ready", ready);
    const writesBefore = r.sim.admin.audit().length;
    await requestFailover(r, "what-if", { dryRun: true });
    const done = await finished(r, "what-if");
    expectSucceeded(done);
    expect(r.sim.admin.audit()).toHaveLength(writesBefore);
    expect(done.status?.preview).toMatchObject({
      hostsToDrain: 3,
      sessionsToNotify: 4,
      itemsToFailOver: 0,
      vmsToStart: 3,
      armWrites: 17,
      estimatedDuration: "5m0s",
    });
    expect(done.status?.message).toMatch(/^dry run: nothing was changed/);
    const p = await r.k.getPlan(r.namespace, r.planName);
    expect(p.status?.activeRegion).toBe("Primary");
    expect(p.status?.lastFailover).toBeUndefined();
  });

  it("Unplanned during a primary region outage: the drain is skipped, the standby region takes over", async () => {
    const r = await rehearse("StandbyHostPool", { spec: { observeInterval: "30s" } });
    await planWhere(r, "plan Ready", ready);
    r.sim.state.faults.configure({ regionOutages: [{ region: "westeurope", mode: "fail" }] });
    await requestFailover(r, "outage", { type: "Unplanned", acknowledgeDataLoss: true });
    const done = await finished(r, "outage");
    expectSucceeded(done);
    expect(done.status?.drain?.skipped).toMatch(
      /the region did not answer \(Unplanned\): 3 host\(s\) not in drain mode, 4 user\(s\) not told/,
    );
    expect(done.status?.counters?.hostsVerified).toBe(3);
    const p = await planWhere(r, "Secondary", (p) => p.status?.activeRegion === "Secondary");
    expect(p.status?.lastFailover).toMatchObject({ name: "outage", type: "Unplanned" });
  });
});
