// Microsoft.RecoveryServices on the wire: what the SDK hides (status codes, error bodies,
// paths), the resource list, fabrics and containers, recovery points, bad requests and
// topology checks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { checkTopology } from "../../src/sim/topology.ts";
import { armToken, raw, rawList, sub, timeScale } from "./fixtures.ts";
import {
  containerId,
  itemFailover,
  itemPath,
  planPath,
  recoveryFabric,
  siteRecoveryTopology,
  siteRecoveryWire,
  vaultPath,
} from "./site-recovery-fixtures.ts";

const v = "api-version=2023-06-01";

let sim: RunningSim;
let token: string;
let wire: ReturnType<typeof siteRecoveryWire>;
beforeEach(async () => {
  sim = await startSim({ topology: siteRecoveryTopology(), timeScale });
  token = await armToken(sim);
  wire = siteRecoveryWire(sim, token);
});
afterEach(() => sim.close());

describe("site recovery on the wire", () => {
  it("shows the vault in the subscription's resources and in its resource group's", async () => {
    const all = await rawList<{ type: string; name: string; location: string }>(
      sim,
      `${sub}/resources?api-version=2021-04-01`,
      token,
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        type: "Microsoft.RecoveryServices/vaults",
        name: "rsv-avd",
        location: "northeurope",
      }),
    );
    const inGroup = await rawList<{ type: string }>(
      sim,
      `${sub}/resourceGroups/rg-neu/resources?api-version=2021-04-01`,
      token,
    );
    expect(inGroup.map((r) => r.type)).toContain("Microsoft.RecoveryServices/vaults");
    const vault = await wire.get(vaultPath);
    expect(vault.body).toMatchObject({ name: "rsv-avd", type: "Microsoft.RecoveryServices/vaults" });
  });

  it("has a fabric and a protection container per region; each fabric lists its containers", async () => {
    const fabrics = await rawList<{
      name: string;
      properties: { customDetails: { location: string; containerIds: string[] } };
    }>(sim, `${vaultPath}/replicationFabrics?${v}`, token);
    expect(fabrics.map((f) => [f.name, f.properties.customDetails.location])).toEqual([
      ["asr-a2a-default-westeurope", "westeurope"],
      ["asr-a2a-default-northeurope", "northeurope"],
    ]);
    expect(fabrics[1]!.properties.customDetails.containerIds).toEqual([containerId(recoveryFabric)]);
    const containers = await rawList<{
      name: string;
      properties: { protectedItemCount: number; role: string };
    }>(sim, `${vaultPath}/replicationProtectionContainers?${v}`, token);
    expect(containers.map((c) => [c.name, c.properties.role, c.properties.protectedItemCount])).toEqual([
      ["asr-a2a-default-westeurope-container", "Primary", 2],
      ["asr-a2a-default-northeurope-container", "Recovery", 0],
    ]);
  });

  it("refuses plannedFailover of an A2A item with ARM's error body", async () => {
    const res = await wire.post(`${itemPath("vm-a")}/plannedFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "OperationNotSupportedForA2A",
        message: expect.stringMatching(/unplannedFailover with sourceSiteOperations Required/),
      },
    });
    expect(sim.admin.audit()).toEqual([]);
  });

  it("shows a recovery plan's boot groups; refuses its plannedFailover for A2A and a second action while one runs", async () => {
    const plan = await wire.get(planPath);
    expect(plan.body.properties).toMatchObject({
      replicationProviders: ["A2A"],
      currentScenario: { scenarioName: "None" },
    });
    expect(plan.body.properties.groups.map((g: { groupType: string }) => g.groupType)).toEqual([
      "Shutdown",
      "Failover",
      "Boot",
      "Boot",
    ]);
    const planned = await wire.post(`${planPath}/plannedFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(planned.status).toBe(400);
    expect(planned.body.error.code).toBe("OperationNotSupportedForA2A");
    const started = await wire.post(`${planPath}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }],
      },
    });
    expect(started.status).toBe(202);
    const again = await wire.post(`${planPath}/failoverCommit`);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("RecoveryPlanOperationInProgress");
  });

  it("lists recovery points newest first: crash-consistent every interval, app-consistent as the policy says", async () => {
    const points = await rawList<{ properties: { recoveryPointTime: string; recoveryPointType: string } }>(
      sim,
      `${itemPath("vm-a")}/recoveryPoints?${v}`,
      token,
    );
    // Replicating for 600 s: points at 0, 300 and 600 s; the first one is app-consistent (every 4 hours).
    expect(points.map((p) => p.properties.recoveryPointType)).toEqual([
      "CrashConsistent",
      "CrashConsistent",
      "ApplicationConsistent",
    ]);
    const times = points.map((p) => Date.parse(p.properties.recoveryPointTime));
    expect(times[0]! - times[1]!).toBe(300_000);
    expect(times[0]).toBeLessThanOrEqual(Date.parse((await raw(sim, "GET", "/admin/clock")).body.now));
  });

  it("answers the PUT of an item that exists with the item, and starts nothing", async () => {
    const res = await wire.put(itemPath("vm-a"), {
      properties: { policyId: "p", providerSpecificDetails: { instanceType: "A2A", fabricObjectId: "x" } },
    });
    expect(res.status).toBe(200);
    expect(res.body.properties.protectionState).toBe("Protected");
  });

  it("refuses malformed bodies naming the field, and unknown api-versions", async () => {
    const direction = await wire.post(`${itemPath("vm-a")}/unplannedFailover`, {
      properties: { failoverDirection: "Sideways" },
    });
    expect(direction.status).toBe(400);
    expect(direction.body.error.message).toMatch(
      /'properties\.failoverDirection' must be one of PrimaryToRecovery, RecoveryToPrimary/,
    );
    const plan = await wire.post(`${planPath}/unplannedFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(plan.body.error.message).toMatch(
      /'properties\.sourceSiteOperations' must be one of Required, NotRequired/,
    );
    const pointType = await wire.post(`${planPath}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "A2A" }],
      },
    });
    expect(pointType.body.error.message).toMatch(
      /'properties\.recoveryPointType' must be one of Latest, LatestApplicationConsistent/,
    );
    const network = await wire.post(`${itemPath("vm-a")}/testFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(network.body.error.message).toMatch(
      /'properties\.networkId' must be the resource id of the virtual network/,
    );
    const point = await wire.post(
      `${itemPath("vm-a")}/unplannedFailover`,
      itemFailover("PrimaryToRecovery", { recoveryPointId: `${itemPath("vm-a")}/recoveryPoints/42` }),
    );
    expect(point.status).toBe(400);
    expect(point.body.error.code).toBe("RecoveryPointNotFound");
    const version = await raw(sim, "GET", `${vaultPath}/replicationProtectedItems?api-version=2016-08-10`, {
      token,
    });
    expect(version.status).toBe(400);
    expect(version.body.error.code).toBe("NoRegisteredProviderFound");
  });

  it("loads config/sim/site-recovery.yaml: every session host protected, a plan with two boot groups", async () => {
    const fromFile = await startSim({ topology: "config/sim/site-recovery.yaml", timeScale });
    try {
      const fileToken = await armToken(fromFile);
      const base = `/subscriptions/${fromFile.info.subscriptionId}/resourceGroups/rg-avd-neu-asr/providers/Microsoft.RecoveryServices/vaults/rsv-avd-neu`;
      const items = await rawList<{ name: string }>(
        fromFile,
        `${base}/replicationProtectedItems?${v}`,
        fileToken,
      );
      expect(items.map((i) => i.name)).toEqual([
        "avd-pool-0",
        "avd-pool-1",
        "avd-pool-2",
        "avd-pers-0",
        "avd-pers-1",
      ]);
      const plan = await raw(fromFile, "GET", `${base}/replicationRecoveryPlans/rp-avd?${v}`, {
        token: fileToken,
      });
      const boot = plan.body.properties.groups.filter((g: { groupType: string }) => g.groupType === "Boot");
      expect(
        boot.map((g: { replicationProtectedItems: unknown[] }) => g.replicationProtectedItems.length),
      ).toEqual([3, 2]);
    } finally {
      await fromFile.close();
    }
  });

  it("checks a topology's Site Recovery references, naming the field and the fix", () => {
    const topology = siteRecoveryTopology();
    const vault = topology.siteRecovery!.vaults[0]!;
    const bad = {
      ...topology,
      siteRecovery: {
        vaults: [
          {
            ...vault,
            recoveryResourceGroup: "rg-nope",
            protectedVms: ["rg-weu/vm-a", "rg-neu/vm-x", "rg-weu/vm-zz"],
            recoveryPlans: [{ name: "rp", groups: [["rg-weu/vm-c"]] }],
          },
        ],
      },
    };
    let message = "";
    try {
      checkTopology(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('siteRecovery/vaults/0/recoveryResourceGroup: no resource group "rg-nope"');
    expect(message).toContain(
      'siteRecovery/vaults/0/protectedVms/1: VM "rg-neu/vm-x" is in northeurope, not in the vault\'s primaryLocation westeurope',
    );
    expect(message).toContain('siteRecovery/vaults/0/protectedVms/2: no virtual machine "rg-weu/vm-zz"');
    expect(message).toContain(
      'siteRecovery/vaults/0/recoveryPlans/0/groups/0/0: "rg-weu/vm-c" is not among this vault\'s protectedVms',
    );
    const badPolicy = {
      ...topology,
      siteRecovery: { vaults: [{ ...vault, replicationPolicy: { appConsistentFrequencyMinutes: -5 } }] },
    };
    expect(() => checkTopology(badPolicy)).toThrow(
      /siteRecovery\/vaults\/0\/replicationPolicy\/appConsistentFrequencyMinutes/,
    );
  });
});
