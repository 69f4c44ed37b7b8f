// The SiteRecovery posture against the emulator: replication observed with one list per vault,
// a host added later protected, unhealthy replication and a late RPO reported with the reason.
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition } from "../../src/api/index.ts";
import { planWhere, rehearsals } from "../support/rehearsal.ts";

const rehearse = rehearsals();

const condition = (p: AvdDisasterRecoveryPlan, type: string) => getCondition(p.status?.conditions, type);
const protectedBecause = (reason: string) => (p: AvdDisasterRecoveryPlan) =>
  condition(p, "Protected")?.reason === reason;

describe("SiteRecovery posture", () => {
  it("reaches Ready from its topology: every session host replicated, the recovery plan complete", async () => {
    const r = await rehearse("SiteRecovery");
    const p = await planWhere(r, "Ready", (p) => condition(p, "Ready")?.status === "True");
    expect(condition(p, "Protected")).toMatchObject({ status: "True", reason: "Replicating" });
    expect(condition(p, "FailoverReady")).toMatchObject({ status: "True", reason: "Ready" });
    expect(condition(p, "StandbyDeallocated")).toBeUndefined();
    expect(p.status?.replication).toMatchObject({
      protected: 5,
      unhealthy: 0,
      unprotectedCount: 0,
      enabling: 0,
    });
    expect(p.status?.replication?.worstRpo).toMatch(/^\d+s$/);
    expect(p.status?.primary).toMatchObject({ sessionHosts: 5, availableHosts: 5, userSessions: 4 });
    expect(p.status?.secondary).toMatchObject({ sessionHosts: 0, runningVms: 0 });
  });

  it("protects a session host added to a pool later, and says so while its initial replication runs", async () => {
    const r = await rehearse("SiteRecovery", {
      spec: {
        observeInterval: "30s",
        siteRecovery: {
          vaultName: "rsv-avd-neu",
          vaultResourceGroup: "rg-avd-neu-asr",
          recoveryPlanName: "rp-avd",
          enableReplication: true,
        },
      },
      topology: (t) => {
        t.resourceGroups[0]!.virtualMachines!.push({ name: "avd-pool-3" });
        t.siteRecovery!.durations = { ...t.siteRecovery!.durations, initialReplication: 600 };
      },
    });
    await planWhere(r, "Ready", (p) => condition(p, "Ready")?.status === "True");
    r.sim.admin.registerSessionHost({ hostPool: "rg-avd-weu/hp-pooled", vm: "rg-avd-weu/avd-pool-3" });
    const enabling = await planWhere(r, "initial replication", protectedBecause("InitialReplication"));
    expect(condition(enabling, "Protected")?.message).toContain("avd-pool-3");
    expect(
      condition(enabling, "Reconciling")?.status === "True" || enabling.status?.replication?.enabling === 1,
    ).toBe(true);
    const enables = r.sim.admin.audit({
      operation:
        "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/write",
    });
    expect(enables.map((e) => e.target.split("/").at(-1))).toEqual(["avd-pool-3"]);
    // Protected again once replicated; the recovery plan lacks the new host, so FailoverReady says which.
    const after = await planWhere(r, "protected", protectedBecause("Replicating"), 40_000);
    expect(after.status?.replication).toMatchObject({ protected: 6, unprotectedCount: 0 });
    expect(condition(after, "FailoverReady")).toMatchObject({
      status: "False",
      reason: "RecoveryPlanIncomplete",
    });
    expect(condition(after, "FailoverReady")?.message).toContain("avd-pool-3");
  });

  it("reports a session host without replication when enableReplication is off, and changes nothing", async () => {
    const r = await rehearse("SiteRecovery", {
      topology: (t) => {
        const vault = t.siteRecovery!.vaults[0]!;
        vault.protectedVms = vault.protectedVms!.filter((vm) => vm !== "rg-avd-weu/avd-pool-2");
        vault.recoveryPlans = [
          {
            name: "rp-avd",
            groups: [
              ["rg-avd-weu/avd-pool-0", "rg-avd-weu/avd-pool-1"],
              ["rg-avd-weu/avd-pers-0", "rg-avd-weu/avd-pers-1"],
            ],
          },
        ];
      },
    });
    const p = await planWhere(r, "Unprotected", protectedBecause("Unprotected"));
    expect(p.status?.replication).toMatchObject({ unprotected: ["avd-pool-2"], unprotectedCount: 1 });
    expect(condition(p, "Protected")?.message).toContain("set spec.siteRecovery.enableReplication: true");
    expect(condition(p, "Ready")?.status).toBe("False");
    expect(r.sim.admin.audit()).toEqual([]);
  });

  it("turns Protected False with the reason when the RPO exceeds rpoTarget, and when replication is unhealthy", async () => {
    const r = await rehearse("SiteRecovery", {
      spec: { rpoTarget: "30s", observeInterval: "30s" },
      topology: (t) => {
        t.siteRecovery!.durations = { ...t.siteRecovery!.durations, replicationCycle: 300 };
      },
    });
    const late = await planWhere(r, "RPO exceeded", protectedBecause("RpoExceeded"));
    expect(condition(late, "Protected")?.message).toMatch(/exceeds rpoTarget 30s/);
    expect(condition(late, "Ready")).toMatchObject({ status: "False", reason: "RpoExceeded" });
    expect(late.status?.replication?.worstRpoSeconds).toBeGreaterThan(30);

    // The primary region goes dark: replication stops, its health turns Warning.
    r.sim.state.faults.configure({ regionOutages: [{ region: "westeurope", mode: "fail" }] });
    const unhealthy = await planWhere(r, "unhealthy", protectedBecause("ReplicationUnhealthy"), 40_000);
    expect(condition(unhealthy, "Protected")?.message).toMatch(
      /replication health is not Normal for .*\((Warning|Critical)\)/,
    );
    expect(unhealthy.status?.replication?.unhealthy).toBe(5);
  });
});
