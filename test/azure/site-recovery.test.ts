// The Site Recovery gateway through @azure/arm-recoveryservices-siterecovery over HTTPS to the
// emulator: the A2A state machine (failover, commit, reprotect through the reverse mapping,
// failback), test failover and its cleanup, recovery plans, enable replication, the vault's
// mappings and policies, an item's failover to a kind of recovery point, each refusal, the
// job's name from either polling URL, and resuming a recorded operation from a fresh gateway.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { AzureError } from "../../src/azure/errors.ts";
import type {
  ProtectedItemInfo,
  RecoveryPointType,
  SiteRecoveryOperation,
} from "../../src/azure/gateways.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { jobNameOf } from "../../src/azure/site-recovery.ts";
import { armToken, type SimAndGateways, simWithGateways } from "../sim/fixtures.ts";
import {
  containerId,
  item,
  itemPath,
  plan,
  policyId,
  primaryFabric,
  recoveryFabric,
  siteRecoveryTopology,
  siteRecoveryWire,
  testNetwork,
  vault,
  vaultPath,
} from "../sim/site-recovery-fixtures.ts";

let env: SimAndGateways;
beforeEach(async () => {
  env = await simWithGateways(siteRecoveryTopology());
});
afterEach(() => env.sim.close());

const find = async (name: string): Promise<ProtectedItemInfo> => {
  const found = (await env.siteRecovery.listProtectedItems(vault)).find((i) => i.item === name);
  if (!found) throw new Error(`no protected item ${name}`);
  return found;
};
const run = async (operation: Promise<SiteRecoveryOperation>) => {
  const op = await operation;
  await env.siteRecovery.waitForOperation(op);
  return op;
};
const host = async (vm: string) =>
  (await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu")).find(
    (h) => h.name === `${vm}.contoso.local`,
  )!;
const power = async (rg: string, vm: string) =>
  (await env.compute.listPowerStates(rg)).find((v) => v.name === vm)?.powerState;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as AzureError,
  );

describe("site recovery gateway", () => {
  it("lists the protected items of a vault with their A2A details", async () => {
    const items = await env.siteRecovery.listProtectedItems(vault);
    expect(items.map((i) => i.item)).toEqual(["vm-a", "vm-b"]);
    const a = items[0]!;
    expect(a).toMatchObject({
      ...item("vm-a"),
      friendlyName: "vm-a",
      protectionState: "Protected",
      protectionStateDescription: "Protected",
      activeLocation: "Primary",
      replicationHealth: "Normal",
      testFailoverState: "None",
      allowedOperations: ["UnplannedFailover", "DisableProtection", "TestFailover"],
      policyId,
      recoveryContainerId: containerId(recoveryFabric),
      a2a: {
        vmId: expect.stringMatching(
          /resourceGroups\/rg-weu\/providers\/Microsoft\.Compute\/virtualMachines\/vm-a$/,
        ),
        primaryLocation: "westeurope",
        recoveryLocation: "northeurope",
        recoveryResourceGroupId: expect.stringMatching(/\/resourceGroups\/rg-neu$/),
      },
    });
    expect(a.currentJob).toBeUndefined();
    expect(a.a2a?.rpoSeconds).toBeGreaterThanOrEqual(0);
    expect(a.a2a?.rpoSeconds).toBeLessThanOrEqual(30);
  });

  it("RPO and its calculation time move with simulated time", async () => {
    const first = (await find("vm-a")).a2a!;
    await vi.waitFor(
      async () => {
        const later = (await find("vm-a")).a2a!;
        expect(later.lastRpoCalculatedTime!.getTime()).toBeGreaterThan(
          first.lastRpoCalculatedTime!.getTime() + 40_000,
        );
        expect(later.rpoSeconds).not.toBe(first.rpoSeconds);
        expect(later.rpoSeconds).toBeLessThanOrEqual(30);
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it("enables replication for a VM: the initial replication runs as a job, then the item is Protected", async () => {
    const op = await env.siteRecovery.beginEnableReplication(vault, {
      vmId: `/subscriptions/${env.sim.info.subscriptionId}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines/vm-c`,
      fabric: item("vm-c").fabric,
      container: item("vm-c").container,
      policyId,
    });
    expect(op).toMatchObject({ kind: "siteRecovery/enableReplication", job: { ...vault } });
    const during = await find("vm-c");
    expect(during).toMatchObject({
      protectionState: "UnprotectedStatesBegin",
      currentJob: { scenarioName: "EnableDr", jobName: op.job.name },
    });
    expect(during.a2a?.replicationProgress).toBeGreaterThanOrEqual(0);
    expect(await env.siteRecovery.checkOperation(op)).toEqual({ status: "running" });
    await env.siteRecovery.waitForOperation(op);
    expect(await env.siteRecovery.checkOperation(op)).toEqual({ status: "succeeded" });
    const after = await find("vm-c");
    expect(after.protectionState).toBe("Protected");
    expect(after.a2a?.replicationProgress).toBeUndefined();
    const job = await env.siteRecovery.getJob(vault, op.job.name);
    expect(job).toMatchObject({ scenarioName: "EnableDr", state: "Succeeded", targetObjectName: "vm-c" });
    expect(job!.tasks.map((t) => t.state)).toEqual(["Succeeded", "Succeeded", "Succeeded"]);
  });

  it("fails over, commits, reprotects and fails back; the session host follows its VM both ways", async () => {
    const a = item("vm-a");
    // Planned: the source VM is shut down first, then the replica is created and started.
    const failover = await run(
      env.siteRecovery.beginFailover(a, { type: "planned", direction: "PrimaryToRecovery" }),
    );
    expect(failover.kind).toBe("siteRecovery/plannedFailover");
    const job = await env.siteRecovery.getJob(vault, failover.job.name);
    expect(job!.scenarioName).toBe("UnplannedFailover");
    expect(job!.tasks.map((t) => t.name)).toContain("ShutdownPrimaryVm");
    let info = await find("vm-a");
    expect(info).toMatchObject({
      protectionState: "UnplannedFailoverCommitPendingStatesBegin",
      protectionStateDescription: "Failover completed",
      activeLocation: "Recovery",
      allowedOperations: ["Commit", "ChangePit", "DisableProtection"],
      a2a: {
        recoveryVmId: expect.stringMatching(
          /resourceGroups\/rg-neu\/providers\/Microsoft\.Compute\/virtualMachines\/vm-a$/,
        ),
      },
    });
    expect(await power("rg-neu", "vm-a")).toBe("running");
    expect(await power("rg-weu", "vm-a")).toBe("stopped");
    // The AVD agent on the replica re-registers in the same pool: same host, now on the replica.
    expect((await host("vm-a")).vmResourceId).toBe(info.a2a?.recoveryVmId);
    expect((await host("vm-a")).sessions).toBe(0);
    await vi.waitFor(async () => expect((await host("vm-a")).status).toBe("Available"), {
      timeout: 5000,
      interval: 25,
    });

    await run(env.siteRecovery.beginCommit(a));
    expect((await find("vm-a")).protectionState).toBe("UnplannedFailoverCommitted");
    expect((await find("vm-a")).protectionStateDescription).toBe("Failover committed");
    expect((await find("vm-a")).allowedOperations).toEqual(["ReverseReplicate", "DisableProtection"]);

    // The gateway fills A2AReprotectInput from the reverse mapping and the protected VM's group,
    // both from the item as listed: it is not read again.
    const listed = await find("vm-a");
    const itemReads = () =>
      env.sim.admin.calls(
        "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read",
      );
    const readsBefore = itemReads();
    await run(env.siteRecovery.beginReprotect(listed, "RecoveryToPrimary"));
    expect(itemReads()).toBe(readsBefore);
    expect(env.sim.admin.audit().at(-1)?.details).toMatchObject({
      reprotect: {
        recoveryContainerId: containerId(primaryFabric),
        policyId,
        recoveryResourceGroup: "rg-weu",
      },
    });
    info = await find("vm-a");
    // As in A2A, the reprotected item lives in the recovery region's container now: callers re-list.
    expect(info).toMatchObject({
      fabric: "asr-a2a-default-northeurope",
      container: "asr-a2a-default-northeurope-container",
      protectionState: "Protected",
      activeLocation: "Recovery",
      a2a: { primaryLocation: "northeurope", recoveryLocation: "westeurope" },
    });
    expect(await refusal(env.siteRecovery.beginCommit(a))).toMatchObject({ statusCode: 404 });
    const reversed = { ...vault, fabric: info.fabric, container: info.container, item: info.item };

    // Failback: the original VM in West Europe runs again and the host returns to it.
    await run(env.siteRecovery.beginFailover(reversed, { type: "planned", direction: "RecoveryToPrimary" }));
    info = await find("vm-a");
    expect(info).toMatchObject({
      protectionState: "UnplannedFailoverCommitPendingStatesBegin",
      activeLocation: "Primary",
    });
    expect(await power("rg-weu", "vm-a")).toBe("running");
    expect(await power("rg-neu", "vm-a")).toBe("stopped");
    // The item protects the replica now; the host is back on the original, its recovery VM.
    expect((await host("vm-a")).vmResourceId).toBe(info.a2a?.recoveryVmId);
    await run(env.siteRecovery.beginCommit(reversed));
    await run(env.siteRecovery.beginReprotect(await find("vm-a"), "PrimaryToRecovery"));
    expect(env.sim.admin.audit().at(-1)?.details).toMatchObject({
      reprotect: { recoveryContainerId: containerId(recoveryFabric), recoveryResourceGroup: "rg-neu" },
    });
    expect(await find("vm-a")).toMatchObject({
      ...a,
      protectionState: "Protected",
      activeLocation: "Primary",
      a2a: { primaryLocation: "westeurope", recoveryLocation: "northeurope" },
    });
    // The other item never moved.
    expect((await find("vm-b")).activeLocation).toBe("Primary");
  });

  it("an unplanned failover leaves the source VM alone", async () => {
    await run(
      env.siteRecovery.beginFailover(item("vm-b"), { type: "unplanned", direction: "PrimaryToRecovery" }),
    );
    expect((await find("vm-b")).activeLocation).toBe("Recovery");
    expect(await power("rg-weu", "vm-b")).toBe("running");
    expect(await power("rg-neu", "vm-b")).toBe("running");
  });

  it("a test failover starts a test VM in the given network; its cleanup deletes it; production is untouched", async () => {
    const a = item("vm-a");
    await run(
      env.siteRecovery.beginFailover(a, {
        type: "test",
        direction: "PrimaryToRecovery",
        networkId: testNetwork,
      }),
    );
    const info = await find("vm-a");
    expect(info).toMatchObject({
      protectionState: "Protected",
      activeLocation: "Primary",
      testFailoverState: "TestFailoverCompleted",
      protectionStateDescription: "Cleanup test failover pending",
      allowedOperations: ["TestFailoverCleanup"],
      a2a: {
        testVmId: expect.stringMatching(
          /resourceGroups\/rg-neu\/providers\/Microsoft\.Compute\/virtualMachines\/vm-a-test$/,
        ),
      },
    });
    expect(await power("rg-neu", "vm-a-test")).toBe("running");
    const vms = env.sim.state.world.virtualMachine("rg-neu", "vm-a-test");
    expect(vms?.tags["avd-dr-sim/network"]).toBe(testNetwork);
    expect((await host("vm-a")).vmResourceId).toBe(info.a2a?.vmId);
    expect((await host("vm-a")).sessions).toBe(2);

    await run(env.siteRecovery.beginTestFailoverCleanup(a));
    expect(await find("vm-a")).toMatchObject({ testFailoverState: "None" });
    expect((await find("vm-a")).a2a?.testVmId).toBeUndefined();
    expect(await power("rg-neu", "vm-a-test")).toBeUndefined();
  });

  it("reads a recovery plan: its boot groups, what it allows, the job running on it", async () => {
    const idle = await env.siteRecovery.getRecoveryPlan(plan);
    expect(idle).toMatchObject({ ...plan, allowedOperations: ["UnplannedFailover", "TestFailover"] });
    expect(idle!.currentJob).toBeUndefined();
    expect(idle!.bootGroups).toEqual([
      [expect.stringMatching(/replicationProtectedItems\/vm-a$/)],
      [expect.stringMatching(/replicationProtectedItems\/vm-b$/)],
    ]);
    const op = await env.siteRecovery.beginFailover(plan, {
      type: "unplanned",
      direction: "PrimaryToRecovery",
    });
    expect(await env.siteRecovery.getRecoveryPlan(plan)).toMatchObject({
      allowedOperations: [],
      currentJob: { scenarioName: "UnplannedFailover", jobName: op.job.name },
    });
    // Once the job ended the service still names it in currentScenario; it is no longer current.
    await env.siteRecovery.waitForOperation(op);
    const after = await env.siteRecovery.getRecoveryPlan(plan);
    expect(after?.currentJob).toBeUndefined();
    expect(after?.allowedOperations).toEqual(["Commit", "ChangePit"]);
    expect(await env.siteRecovery.getRecoveryPlan({ ...vault, recoveryPlan: "rp-nope" })).toBeUndefined();
  });

  it("acts on a recovery plan's items group by group, and commits and reprotects them together", async () => {
    const op = await run(
      env.siteRecovery.beginFailover(plan, {
        type: "unplanned",
        direction: "PrimaryToRecovery",
        recoveryPointType: "LatestProcessed",
      }),
    );
    const job = await env.siteRecovery.getJob(vault, op.job.name);
    expect(job).toMatchObject({
      scenarioName: "UnplannedFailover",
      state: "Succeeded",
      targetObjectName: "rp-avd",
    });
    expect(job!.tasks.map((t) => t.name)).toEqual(["Group1", "Group2"]);
    for (const i of await env.siteRecovery.listProtectedItems(vault))
      expect(i.protectionState).toBe("UnplannedFailoverCommitPendingStatesBegin");
    expect(await power("rg-neu", "vm-a")).toBe("running");
    expect(await power("rg-neu", "vm-b")).toBe("running");
    await run(env.siteRecovery.beginCommit(plan));
    await run(env.siteRecovery.beginReprotect(plan, "RecoveryToPrimary"));
    for (const i of await env.siteRecovery.listProtectedItems(vault))
      expect(i).toMatchObject({ protectionState: "Protected", activeLocation: "Recovery" });
    // Test failover of the plan and its cleanup.
    await run(
      env.siteRecovery.beginFailover(plan, {
        type: "test",
        direction: "RecoveryToPrimary",
        networkId: testNetwork,
      }),
    );
    expect(await power("rg-weu", "vm-a-test")).toBe("running");
    await run(env.siteRecovery.beginTestFailoverCleanup(plan));
    expect(await power("rg-weu", "vm-a-test")).toBeUndefined();
  });

  it("refuses what the service refuses, with its error code and what to do", async () => {
    const a = item("vm-a");
    const commit = await refusal(env.siteRecovery.beginCommit(a));
    expect(commit).toBeInstanceOf(AzureError);
    expect(commit).toMatchObject({ statusCode: 400, code: "OperationNotAllowedInCurrentState" });
    expect(commit!.message).toMatch(
      /Commit is not allowed for protected item vm-a in state Protected.*Fail over first/,
    );

    const reprotect = await refusal(env.siteRecovery.beginReprotect(await find("vm-a"), "RecoveryToPrimary"));
    expect(reprotect).toMatchObject({ statusCode: 400, code: "OperationNotAllowedInCurrentState" });
    const cleanup = await refusal(env.siteRecovery.beginTestFailoverCleanup(a));
    expect(cleanup).toMatchObject({ code: "OperationNotAllowedInCurrentState" });
    const direction = await refusal(
      env.siteRecovery.beginFailover(a, { type: "planned", direction: "RecoveryToPrimary" }),
    );
    expect(direction).toMatchObject({ statusCode: 400, code: "InvalidFailoverDirection" });

    // A second failover while the first runs.
    const first = await env.siteRecovery.beginFailover(a, {
      type: "unplanned",
      direction: "PrimaryToRecovery",
    });
    const second = await refusal(
      env.siteRecovery.beginFailover(a, { type: "unplanned", direction: "PrimaryToRecovery" }),
    );
    expect(second).toMatchObject({ statusCode: 400, code: "ProtectedItemOperationInProgress" });
    expect(second!.message).toContain(first.job.name);
    const planWhileItemRuns = await refusal(
      env.siteRecovery.beginFailover(plan, { type: "unplanned", direction: "PrimaryToRecovery" }),
    );
    expect(planWhileItemRuns).toMatchObject({ code: "ProtectedItemOperationInProgress" });
    await env.siteRecovery.waitForOperation(first);

    // Failed over, not committed: no second failover, no reprotect yet.
    const again = await refusal(
      env.siteRecovery.beginFailover(a, { type: "unplanned", direction: "RecoveryToPrimary" }),
    );
    expect(again).toMatchObject({ code: "OperationNotAllowedInCurrentState" });
    const early = await refusal(env.siteRecovery.beginReprotect(await find("vm-a"), "RecoveryToPrimary"));
    expect(early).toMatchObject({ code: "OperationNotAllowedInCurrentState" });
    expect(early!.message).toMatch(/Commit the failover/);

    const missing = await refusal(env.siteRecovery.beginCommit(item("vm-nope")));
    expect(missing).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    const protectedTwice = await refusal(
      env.siteRecovery.beginEnableReplication(vault, {
        vmId: `/subscriptions/${env.sim.info.subscriptionId}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines/vm-b`,
        item: "vm-b-again",
        fabric: a.fabric,
        container: a.container,
        policyId: "/policies/p",
      }),
    );
    expect(protectedTwice).toMatchObject({ statusCode: 400, code: "ProtectionAlreadyEnabled" });
  });

  it("reads the vault's container mappings with the regions at both ends", async () => {
    expect(await env.siteRecovery.listContainerMappings(vault)).toEqual([
      {
        id: expect.stringMatching(
          /replicationProtectionContainerMappings\/westeurope-northeurope-24-hour-retention-policy$/,
        ),
        name: "westeurope-northeurope-24-hour-retention-policy",
        sourceContainerId: containerId(primaryFabric),
        targetContainerId: containerId(recoveryFabric),
        policyId,
        sourceLocation: "westeurope",
        targetLocation: "northeurope",
        state: "Paired",
      },
      expect.objectContaining({
        sourceContainerId: containerId(recoveryFabric),
        targetContainerId: containerId(primaryFabric),
        sourceLocation: "northeurope",
        targetLocation: "westeurope",
      }),
    ]);
  });

  it("fails a single item over to the newest recovery point of the kind asked for, or to a given one", async () => {
    const wire = siteRecoveryWire(env.sim, await armToken(env.sim));
    const pointsOf = async (name: string) =>
      (await wire.get(`${itemPath(name)}/recoveryPoints`)).body.value as {
        id: string;
        properties: { recoveryPointType: string };
      }[];
    /** The recovery point the failover job says it used. */
    const failedOverTo = async (
      name: string,
      options: { recoveryPointType?: RecoveryPointType; recoveryPointId?: string },
    ) => {
      const op = await run(
        env.siteRecovery.beginFailover(item(name), {
          type: "unplanned",
          direction: "PrimaryToRecovery",
          ...options,
        }),
      );
      const job = await wire.get(`${vaultPath}/replicationJobs/${op.job.name}`);
      return job.body.properties.customDetails.protectedItemDetails[0].recoveryPointId as string;
    };
    const points = await pointsOf("vm-a");
    const appConsistent = points.find((p) => p.properties.recoveryPointType === "ApplicationConsistent")!;
    expect(appConsistent.id).not.toBe(points[0]!.id);
    expect(await failedOverTo("vm-a", { recoveryPointType: "LatestApplicationConsistent" })).toBe(
      appConsistent.id,
    );
    expect((await find("vm-a")).protectionState).toBe("UnplannedFailoverCommitPendingStatesBegin");
    const vmB = await pointsOf("vm-b");
    expect(await failedOverTo("vm-b", { recoveryPointId: vmB[1]!.id })).toBe(vmB[1]!.id);

    const onPlan = await refusal(
      env.siteRecovery.beginFailover(plan, {
        type: "unplanned",
        direction: "PrimaryToRecovery",
        recoveryPointId: vmB[1]!.id,
      }),
    );
    expect(onPlan).toMatchObject({
      code: "InvalidInput",
      message: expect.stringMatching(/recoveryPointId is for a single item/),
    });
  });

  it("reads the job's name from either URL of the service's 202", () => {
    const base =
      "https://management.azure.com/Subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v";
    expect(
      jobNameOf(
        `${base}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/operationresults/9a1b?api-version=2023-06-01`,
      ),
    ).toBe("9a1b");
    expect(jobNameOf(`${base}/replicationOperationStatus/9a1b?api-version=2023-06-01`)).toBe("9a1b");
    expect(jobNameOf(`${base}/replicationJobs/9a1b`)).toBe("9a1b");
    expect(jobNameOf(`${base}/replicationRecoveryPlans/rp`)).toBeUndefined();
    expect(jobNameOf(undefined)).toBeUndefined();
  });

  it("resumes following a recorded operation from a new gateway, as after an operator restart", async () => {
    const recorded = JSON.stringify(
      await env.siteRecovery.beginFailover(item("vm-a"), { type: "planned", direction: "PrimaryToRecovery" }),
    );
    const restarted = createAzureGateways(emulatorConnection(env.sim.info, env.sim.caPem, 10));
    const op = JSON.parse(recorded) as SiteRecoveryOperation;
    await restarted.siteRecovery.waitForOperation(op);
    expect(await restarted.siteRecovery.checkOperation(op)).toEqual({ status: "succeeded" });
    expect(
      env.sim.admin.calls(
        "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/unplannedFailover/action",
      ),
    ).toBe(1);
  });
});
