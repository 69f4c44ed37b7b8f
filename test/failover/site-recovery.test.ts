// Azure Site Recovery failovers end to end: the real API server, the operator in this process and
// the emulator through the real SDK clients. Exactly-once is read off the emulator's audit log.
import { describe, expect, it } from "vitest";
import { getCondition } from "../../src/api/index.ts";
import { planWhere, ready, rehearsals } from "../support/rehearsal.ts";
import {
  actionsPerTarget,
  expectNoEarlyLogOff,
  expectSucceeded,
  finished,
  requestFailover,
} from "./support.ts";

const rehearse = rehearsals();

const TEST_NETWORK =
  "/subscriptions/5d2a7c1e-0000-4000-8000-00000000a001/resourceGroups/rg-avd-neu-asr/providers/Microsoft.Network/virtualNetworks/vnet-drill";

describe("SiteRecovery", () => {
  it.each([
    ["through the recovery plan", "rp-avd"],
    ["item by item", undefined],
  ])(
    "fails over as planned %s, commits and reprotects, each exactly once",
    async (_how, recoveryPlanName) => {
      const r = await rehearse("SiteRecovery", {
        spec: {
          drain: { gracePeriod: "60s" },
          observeInterval: "30s",
          siteRecovery: {
            vaultName: "rsv-avd-neu",
            vaultResourceGroup: "rg-avd-neu-asr",
            ...(recoveryPlanName ? { recoveryPlanName } : {}),
          },
        },
      });
      const before = await planWhere(r, "plan Ready", ready);
      expect(getCondition(before.status?.conditions, "Protected")?.status).toBe("True");
      expect(before.status?.replication).toMatchObject({ protected: 5, unhealthy: 0, unprotectedCount: 0 });
      await requestFailover(r, "to-neu", { reprotect: true });
      const done = await finished(r, "to-neu", 120_000);
      expectSucceeded(done);
      expect(done.status?.phases?.map((p) => p.phase)).toEqual([
        "Draining",
        "FailingOver",
        "Verifying",
        "Committing",
        "Reprotecting",
      ]);
      expect(done.status?.counters).toMatchObject({
        sessionsNotified: 4,
        sessionsLoggedOff: 4,
        itemsFailedOver: 5,
        hostsVerified: 5,
      });
      expect(expectNoEarlyLogOff(r.sim, 60)).toBe(4);
      const suffix = recoveryPlanName ? "replicationRecoveryPlans" : "replicationProtectedItems";
      for (const action of ["unplannedFailover/action", "failoverCommit/action", "reProtect/action"]) {
        const counts = actionsPerTarget(r.sim, action);
        expect(
          [...counts.keys()].every((t) => t.includes(suffix)),
          action,
        ).toBe(true);
        expect([...counts.values()], action).toEqual(recoveryPlanName ? [1] : [1, 1, 1, 1, 1]);
      }
      // Personal desktops kept their users.
      expect(done.status?.assignments).toEqual([
        { host: "avd-pers-0.contoso.local", user: "dave@contoso.com" },
        { host: "avd-pers-1.contoso.local", user: "erin@contoso.com" },
      ]);
      const after = await planWhere(
        r,
        "Secondary, protected back",
        (p) => p.status?.activeRegion === "Secondary" && ready(p),
        60_000,
      );
      expect(after.status?.secondary?.availableHosts).toBe(5);
      expect(getCondition(after.status?.conditions, "Protected")?.status).toBe("True");
    },
  );

  it("fails back after a reprotected failover", async () => {
    const r = await rehearse("SiteRecovery", {
      spec: { drain: { gracePeriod: "30s" }, observeInterval: "30s" },
    });
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "to-neu", { reprotect: true });
    expectSucceeded(await finished(r, "to-neu", 120_000));
    await planWhere(
      r,
      "Secondary and Ready",
      (p) => p.status?.activeRegion === "Secondary" && ready(p),
      60_000,
    );
    await requestFailover(r, "back", { direction: "ToPrimary", reprotect: true });
    const back = await finished(r, "back", 120_000);
    expectSucceeded(back);
    expect(back.status).toMatchObject({ fromRegion: "Secondary", toRegion: "Primary" });
    const p = await planWhere(
      r,
      "Primary and Ready",
      (p) => p.status?.activeRegion === "Primary" && ready(p),
      60_000,
    );
    expect(p.status?.primary?.availableHosts).toBe(5);
  });

  it("a drill fails over copies into the test network without draining anyone, then cleans them up", async () => {
    const r = await rehearse("SiteRecovery", { spec: { observeInterval: "30s" } });
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "drill", { type: "Test", testNetworkId: TEST_NETWORK });
    const done = await finished(r, "drill", 120_000);
    expectSucceeded(done);
    expect(done.status?.phases?.map((p) => p.phase)).toEqual(["FailingOver", "Verifying", "CleaningUp"]);
    expect(done.status?.counters?.hostsVerified).toBe(5);
    const audit = r.sim.admin.audit();
    expect(audit.filter((e) => /usersessions|sessionhosts\/write/.test(e.operation))).toEqual([]);
    expect([...actionsPerTarget(r.sim, "testFailover/action").values()]).toEqual([1]);
    expect([...actionsPerTarget(r.sim, "testFailoverCleanup/action").values()]).toEqual([1]);
    // The test VMs are gone and production never moved.
    const vms = await r.access
      .gatewaysFor(await r.k.getPlan(r.namespace, r.planName), undefined)
      .compute.listPowerStates("rg-avd-neu-asr")
      .catch(() => []);
    expect(vms.filter((vm) => vm.name.endsWith("-test"))).toEqual([]);
    const p = await planWhere(r, "Ready in Primary", ready);
    expect(p.status?.activeRegion).toBe("Primary");
  });

  it("a VM whose failover fails ends the request Failed, naming it and what to do", async () => {
    const r = await rehearse("SiteRecovery", {
      spec: {
        drain: { gracePeriod: "0s" },
        siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" },
      },
      topology: (t) => {
        t.faults = { failoverFailures: ["rg-avd-weu/avd-pool-1"] };
      },
    });
    await planWhere(r, "plan Ready", ready);
    await requestFailover(r, "to-neu");
    const done = await finished(r, "to-neu", 120_000);
    expect(done.status?.phase).toBe("Failed");
    expect(done.status?.message).toMatch(/FailingOver failed: .*avd-pool-1.*create a new FailoverRequest/s);
    expect(getCondition(done.status?.conditions, "Stalled")?.status).toBe("True");
    expect(getCondition(done.status?.conditions, "FailedOver")?.status).toBe("False");
    // Sent once per item; never retried by itself.
    expect([...actionsPerTarget(r.sim, "unplannedFailover/action").values()]).toEqual([1, 1, 1, 1, 1]);
    const p = await planWhere(r, "plan released", (p) => p.status?.activeFailover === undefined);
    expect(p.status?.activeRegion).toBe("Primary");
    expect(p.status?.lastFailover).toMatchObject({ name: "to-neu", phase: "Failed" });
  });

  it("Unplanned during a primary region outage fails over to the latest processed recovery point", async () => {
    const r = await rehearse("SiteRecovery", { spec: { observeInterval: "30s" } });
    await planWhere(r, "plan Ready", ready);
    r.sim.state.faults.configure({ regionOutages: [{ region: "westeurope", mode: "fail" }] });
    await requestFailover(r, "outage", { type: "Unplanned", acknowledgeDataLoss: true, commit: true });
    const done = await finished(r, "outage", 120_000);
    expectSucceeded(done);
    expect(done.status?.drain?.skipped).toMatch(/region did not answer/);
    expect(done.status?.rpoAtFailoverSeconds).toBeGreaterThanOrEqual(0);
    expect(done.status?.counters?.hostsVerified).toBe(5);
  });
});
