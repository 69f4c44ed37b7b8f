// Microsoft.RecoveryServices on the wire: what the SDK hides (status codes, error bodies,
// paths), the resource list, recovery points, jobs, bad requests and topology checks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { checkTopology } from "../../src/sim/topology.ts";
import { armToken, raw, rawList, sub, timeScale } from "./fixtures.ts";
import { itemPath, siteRecoveryTopology } from "./site-recovery-fixtures.ts";

const v = "api-version=2023-06-01";
const vaultPath = `${sub}/resourceGroups/rg-neu/providers/Microsoft.RecoveryServices/vaults/rsv-avd`;

let sim: RunningSim;
let token: string;
beforeEach(async () => {
  sim = await startSim({ topology: siteRecoveryTopology(), timeScale });
  token = await armToken(sim);
});
afterEach(() => sim.close());

const post = (path: string, body?: unknown) =>
  raw(sim, "POST", `${path}?${v}`, { token, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

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
    const vault = await raw(sim, "GET", `${vaultPath}?${v}`, { token });
    expect(vault.body).toMatchObject({ name: "rsv-avd", type: "Microsoft.RecoveryServices/vaults" });
  });

  it("has a fabric and a protection container per region", async () => {
    const fabrics = await rawList<{ name: string; properties: { customDetails: { location: string } } }>(
      sim,
      `${vaultPath}/replicationFabrics?${v}`,
      token,
    );
    expect(fabrics.map((f) => [f.name, f.properties.customDetails.location])).toEqual([
      ["asr-a2a-default-westeurope", "westeurope"],
      ["asr-a2a-default-northeurope", "northeurope"],
    ]);
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
    const res = await post(`${itemPath("vm-a")}/plannedFailover`, {
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

  it("shows a recovery plan's boot groups and what it allows; refuses its plannedFailover for A2A", async () => {
    const planPath = `${vaultPath}/replicationRecoveryPlans/rp-avd`;
    const plan = await raw(sim, "GET", `${planPath}?${v}`, { token });
    expect(plan.body.properties).toMatchObject({
      replicationProviders: ["A2A"],
      allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
      currentScenario: { scenarioName: "None" },
    });
    expect(plan.body.properties.groups.map((g: { groupType: string }) => g.groupType)).toEqual([
      "Shutdown",
      "Failover",
      "Boot",
      "Boot",
    ]);
    const planned = await post(`${planPath}/plannedFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(planned.status).toBe(400);
    expect(planned.body.error.code).toBe("OperationNotSupportedForA2A");
    // While the plan's failover runs, the plan allows nothing and a second action is refused.
    const started = await post(`${planPath}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }],
      },
    });
    expect(started.status).toBe(202);
    const during = await raw(sim, "GET", `${planPath}?${v}`, { token });
    expect(during.body.properties).toMatchObject({
      allowedOperations: [],
      currentScenario: { scenarioName: "RecoveryPlanUnplannedFailover" },
    });
    const again = await post(`${planPath}/failoverCommit`);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("RecoveryPlanOperationInProgress");
  });

  it("answers an action with 202, Azure-AsyncOperation and Location, and lists its job", async () => {
    const res = await post(`${itemPath("vm-b")}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: { instanceType: "A2A" },
      },
    });
    expect(res.status).toBe(202);
    const operation = String(res.headers["azure-asyncoperation"]);
    expect(operation).toMatch(
      /\/providers\/Microsoft\.RecoveryServices\/locations\/northeurope\/operations\/[0-9a-f-]{36}\?api-version=2023-06-01$/,
    );
    const jobName = operation.split("/operations/")[1]!.split("?")[0]!;
    const job = await raw(sim, "GET", `${vaultPath}/replicationJobs/${jobName}?${v}`, { token });
    expect(job.body).toMatchObject({
      name: jobName,
      properties: {
        scenarioName: "UnplannedFailover",
        state: "InProgress",
        targetObjectName: "vm-b",
        targetInstanceType: "ProtectionEntity",
      },
    });
    const jobs = await rawList<{ name: string }>(sim, `${vaultPath}/replicationJobs?${v}`, token);
    expect(jobs.map((j) => j.name)).toEqual([jobName]);
    expect(sim.admin.audit()).toEqual([
      expect.objectContaining({
        target: itemPath("vm-b"),
        details: { job: jobName, scenario: "UnplannedFailover" },
      }),
    ]);
    // Location answers 202 while the job runs, then 200 with the item as it is after it.
    const location = String(res.headers.location);
    expect((await raw(sim, "GET", location, { token })).status).toBe(202);
    await vi.waitFor(
      async () => {
        const done = await raw(sim, "GET", location, { token });
        expect(done.status).toBe(200);
        expect(done.body).toMatchObject({
          name: "vm-b",
          properties: { protectionState: "UnplannedFailoverCommitRequired", activeLocation: "Recovery" },
        });
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it("lists crash-consistent recovery points, newest first, every recoveryPointInterval", async () => {
    const points = await rawList<{ properties: { recoveryPointTime: string; recoveryPointType: string } }>(
      sim,
      `${itemPath("vm-a")}/recoveryPoints?${v}`,
      token,
    );
    expect(points.length).toBeGreaterThanOrEqual(2);
    const times = points.map((p) => Date.parse(p.properties.recoveryPointTime));
    expect(times[0]! - times[1]!).toBe(300_000);
    expect(times[0]).toBeLessThanOrEqual(Date.parse((await raw(sim, "GET", "/admin/clock")).body.now));
    expect(points[0]!.properties.recoveryPointType).toBe("CrashConsistent");
  });

  it("fails over to the recovery point asked for and records it on the item", async () => {
    const points = await rawList<{ id: string }>(sim, `${itemPath("vm-a")}/recoveryPoints?${v}`, token);
    const older = points[1]!.id;
    const res = await post(`${itemPath("vm-a")}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: { instanceType: "A2A", recoveryPointId: older },
      },
    });
    expect(res.status).toBe(202);
    await vi.waitFor(
      async () => {
        const item = await raw(sim, "GET", `${itemPath("vm-a")}?${v}`, { token });
        expect(item.body.properties).toMatchObject({
          protectionState: "UnplannedFailoverCommitRequired",
          failoverRecoveryPointId: older,
        });
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it("answers the PUT of an item that exists with the item, and starts nothing", async () => {
    const res = await raw(sim, "PUT", `${itemPath("vm-a")}?${v}`, {
      token,
      body: JSON.stringify({
        properties: { policyId: "p", providerSpecificDetails: { instanceType: "A2A", fabricObjectId: "x" } },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.body.properties.protectionState).toBe("Protected");
  });

  it("refuses malformed bodies naming the field, and unknown api-versions", async () => {
    const direction = await post(`${itemPath("vm-a")}/unplannedFailover`, {
      properties: { failoverDirection: "Sideways" },
    });
    expect(direction.status).toBe(400);
    expect(direction.body.error.message).toMatch(
      /'properties\.failoverDirection' must be one of PrimaryToRecovery, RecoveryToPrimary/,
    );
    const plan = await post(`${vaultPath}/replicationRecoveryPlans/rp-avd/unplannedFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(plan.body.error.message).toMatch(
      /'properties\.sourceSiteOperations' must be one of Required, NotRequired/,
    );
    const network = await post(`${itemPath("vm-a")}/testFailover`, {
      properties: { failoverDirection: "PrimaryToRecovery" },
    });
    expect(network.body.error.message).toMatch(
      /'properties\.networkId' must be the resource id of the virtual network/,
    );
    const vm = await raw(sim, "PUT", `${itemPath("vm-c")}?${v}`, {
      token,
      body: JSON.stringify({ properties: { policyId: "p" } }),
    });
    expect(vm.body.error.message).toMatch(/fabricObjectId/);
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
  });
});
