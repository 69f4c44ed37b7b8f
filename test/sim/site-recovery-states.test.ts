// An A2A item's states on the wire, as the service names and describes them, with what each
// allows; a recovery plan's; and the jobs behind them: their scenario names, task states,
// task types and details.
import { describe, expect, it } from "vitest";
import {
  containerId,
  itemFailover,
  itemPath,
  planPath,
  policyId,
  primaryFabric,
  recoveryFabric,
  siteRecoverySims,
  siteRecoveryTopology,
  testNetwork,
  vaultPath,
} from "./site-recovery-fixtures.ts";

const wireTo = siteRecoverySims();

type Wire = Awaited<ReturnType<typeof wireTo>>;

/** The state fields of an item, read on the wire. */
async function stateOf(wire: Wire, path: string) {
  const p = (await wire.get(path)).body.properties;
  return {
    protectionState: p.protectionState,
    protectionStateDescription: p.protectionStateDescription,
    vmProtectionState: p.providerSpecificDetails.vmProtectionState,
    vmProtectionStateDescription: p.providerSpecificDetails.vmProtectionStateDescription,
    allowedOperations: p.allowedOperations,
    scenario: p.currentScenario.scenarioName,
  };
}

const state = (
  protectionState: string,
  description: string,
  allowedOperations: string[],
  scenario = "None",
) => ({
  protectionState,
  protectionStateDescription: description,
  vmProtectionState: protectionState,
  vmProtectionStateDescription: description,
  allowedOperations,
  scenario,
});

const reprotectBody = {
  properties: {
    failoverDirection: "RecoveryToPrimary",
    providerSpecificDetails: {
      instanceType: "A2A",
      recoveryContainerId: containerId(primaryFabric),
      policyId,
    },
  },
};

describe("site recovery states", () => {
  it("names every state of failover, commit and reprotect as the service does, and allows what each allows", async () => {
    const wire = await wireTo();
    const a = itemPath("vm-a");
    expect(await stateOf(wire, a)).toEqual(
      state("Protected", "Protected", ["UnplannedFailover", "DisableProtection", "TestFailover"]),
    );

    const failover = await wire.post(`${a}/unplannedFailover`, itemFailover());
    expect(await stateOf(wire, a)).toEqual(
      state("UnplannedFailoverTransitionStatesBegin", "Failover in progress", [], "UnplannedFailover"),
    );
    await wire.finished(wire.jobOf(failover));
    expect(await stateOf(wire, a)).toEqual(
      state("UnplannedFailoverCommitPendingStatesBegin", "Failover completed", [
        "Commit",
        "ChangePit",
        "DisableProtection",
      ]),
    );

    const commit = await wire.post(`${a}/failoverCommit`);
    expect(await stateOf(wire, a)).toEqual(
      state("CommitFailoverStatesBegin", "Commit in progress", [], "CommitFailover"),
    );
    await wire.finished(wire.jobOf(commit));
    expect(await stateOf(wire, a)).toEqual(
      state("UnplannedFailoverCommitted", "Failover committed", ["ReverseReplicate", "DisableProtection"]),
    );

    const reprotect = await wire.post(`${a}/reProtect`, reprotectBody);
    const moved = itemPath("vm-a", recoveryFabric);
    expect(await stateOf(wire, moved)).toEqual(
      state("ReprotectStatesBegin", "Reprotect in progress", [], "ReverseReplication"),
    );
    expect((await wire.get(moved)).body.properties.providerSpecificDetails.monitoringJobType).toBe(
      "Resynchronization",
    );
    await wire.finished(wire.jobOf(reprotect));
    expect(await stateOf(wire, moved)).toEqual(
      state("Protected", "Protected", ["UnplannedFailover", "DisableProtection", "TestFailover"]),
    );
  });

  it("after a reprotect the item protects the VM it runs on now; a failover lands where the reprotect said", async () => {
    const wire = await wireTo();
    const a = itemPath("vm-a");
    await wire.finished(wire.jobOf(await wire.post(`${a}/unplannedFailover`, itemFailover())));
    await wire.finished(wire.jobOf(await wire.post(`${a}/failoverCommit`)));
    const before = (await wire.get(a)).body.properties.providerSpecificDetails;
    await wire.finished(wire.jobOf(await wire.post(`${a}/reProtect`, reprotectBody)));
    const after = (await wire.get(itemPath("vm-a", recoveryFabric))).body.properties.providerSpecificDetails;
    expect(after).toMatchObject({
      fabricObjectId: before.recoveryFabricObjectId,
      recoveryFabricObjectId: before.fabricObjectId,
      primaryFabricLocation: "northeurope",
      recoveryFabricLocation: "westeurope",
      recoveryAzureResourceGroupId: expect.stringMatching(/\/resourceGroups\/rg-weu$/),
    });
  });

  it("while test VMs stand: Protected, 'Cleanup test failover pending', and only the cleanup allowed", async () => {
    const wire = await wireTo();
    const a = itemPath("vm-a");
    const test = await wire.post(`${a}/testFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        networkType: "VmNetworkAsInput",
        networkId: testNetwork,
      },
    });
    expect((await wire.get(a)).body.properties).toMatchObject({
      testFailoverState: "TestFailoverInitiated",
      allowedOperations: [],
    });
    await wire.finished(wire.jobOf(test));
    expect(await stateOf(wire, a)).toEqual(
      state("Protected", "Cleanup test failover pending", ["TestFailoverCleanup"]),
    );
    expect((await wire.get(a)).body.properties).toMatchObject({
      testFailoverState: "TestFailoverCompleted",
      testFailoverStateDescription: "Test failover completed",
    });
    const refused = await wire.post(`${a}/unplannedFailover`, itemFailover());
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: "OperationNotAllowedInCurrentState",
      message: expect.stringMatching(/Clean up the test failover first/),
    });
    await wire.finished(
      wire.jobOf(await wire.post(`${a}/testFailoverCleanup`, { properties: { comments: "done" } })),
    );
    expect((await wire.get(a)).body.properties).toMatchObject({
      testFailoverState: "None",
      protectionStateDescription: "Protected",
    });
  });

  it("enabling protection: UnprotectedStatesBegin while the initial replication runs", async () => {
    const wire = await wireTo();
    const c = itemPath("vm-c");
    await wire.put(c, {
      properties: {
        policyId,
        providerSpecificDetails: {
          instanceType: "A2A",
          fabricObjectId: `/subscriptions/${wire.sim.info.subscriptionId}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines/vm-c`,
        },
      },
    });
    expect(await stateOf(wire, c)).toEqual(
      state("UnprotectedStatesBegin", "Enabling protection", [], "EnableDr"),
    );
    expect((await wire.get(c)).body.properties.providerSpecificDetails.monitoringJobType).toBe(
      "InitialReplication",
    );
  });

  it("a recovery plan never allows DisableProtection and keeps showing its last job, with its state, once it ended", async () => {
    const wire = await wireTo();
    expect((await wire.get(planPath)).body.properties).toMatchObject({
      allowedOperations: ["UnplannedFailover", "TestFailover"],
      currentScenario: { scenarioName: "None" },
      currentScenarioStatus: "None",
    });
    const failover = await wire.post(`${planPath}/unplannedFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "LatestProcessed" }],
      },
    });
    const job = wire.jobOf(failover);
    expect((await wire.get(planPath)).body.properties).toMatchObject({
      allowedOperations: [],
      currentScenario: {
        scenarioName: "UnplannedFailover",
        jobId: expect.stringMatching(new RegExp(`${job}$`)),
      },
      currentScenarioStatus: "InProgress",
    });
    await wire.finished(job);
    expect((await wire.get(planPath)).body.properties).toMatchObject({
      allowedOperations: ["Commit", "ChangePit"],
      currentScenario: { scenarioName: "UnplannedFailover" },
      currentScenarioStatus: "Succeeded",
      currentScenarioStatusDescription: "Completed",
    });
    // The items' own current scenario ends with the job.
    expect((await wire.get(itemPath("vm-a"))).body.properties.currentScenario.scenarioName).toBe("None");
  });
});

describe("site recovery jobs", () => {
  it("a failover job: per-VM tasks, the source's shutdown Skipped when not required, the recovery point it used", async () => {
    const wire = await wireTo();
    const points = (await wire.get(`${itemPath("vm-a")}/recoveryPoints`)).body.value;
    const older = points[1].id;
    const job = await wire.finished(
      wire.jobOf(
        await wire.post(
          `${itemPath("vm-a")}/unplannedFailover`,
          itemFailover("PrimaryToRecovery", { recoveryPointId: older }),
        ),
      ),
    );
    expect(job.properties).toMatchObject({
      scenarioName: "UnplannedFailover",
      state: "Succeeded",
      stateDescription: "Completed",
      customDetails: {
        instanceType: "FailoverJobDetails",
        protectedItemDetails: [
          { name: "vm-a", recoveryPointId: older, recoveryPointTime: points[1].properties.recoveryPointTime },
        ],
      },
    });
    const tasks = job.properties.tasks.map((t: Record<string, unknown>) => [
      t.name,
      t.state,
      t.stateDescription,
      t.taskType,
    ]);
    expect(tasks).toEqual([
      ["PrerequisitesCheck", "Succeeded", "Completed", "VirtualMachineTaskDetails"],
      ["ShutdownPrimaryVm", "Succeeded", "Skipped", "VirtualMachineTaskDetails"],
      ["FailoverTask", "Succeeded", "Completed", "VirtualMachineTaskDetails"],
      ["StartReplicaVm", "Succeeded", "Completed", "VirtualMachineTaskDetails"],
    ]);
    expect(job.properties.tasks[1].customDetails).toEqual({
      instanceType: "VirtualMachineTaskDetails",
      skippedReason: "NotApplicable",
      skippedReasonString: "sourceSiteOperations is NotRequired",
    });
    expect((await wire.get(itemPath("vm-a"))).body.properties.failoverRecoveryPointId).toBe(older);
  });

  it("a failed job: the failed task's error, the tasks after it never started", async () => {
    const wire = await wireTo(
      siteRecoveryTopology({
        faults: { jobFailures: [{ scenario: "CommitFailover", afterTasks: 0, code: "InternalError" }] },
      }),
    );
    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-a")}/unplannedFailover`, itemFailover())));
    const job = await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-a")}/failoverCommit`)));
    expect(job.properties).toMatchObject({
      state: "Failed",
      stateDescription: "Failed",
      allowedActions: ["Restart"],
    });
    expect(job.properties.tasks.map((t: { state: string }) => t.state)).toEqual(["Failed", "NotStarted"]);
    expect(job.properties.errors).toEqual([
      expect.objectContaining({
        taskId: "PrerequisitesCheck-0",
        serviceErrorDetails: expect.objectContaining({ code: "InternalError" }),
      }),
    ]);
  });

  it("a recovery plan's job: one group task per boot group; a reprotect switches protection to a new item", async () => {
    const wire = await wireTo();
    const planJob = await wire.finished(
      wire.jobOf(
        await wire.post(`${planPath}/unplannedFailover`, {
          properties: {
            failoverDirection: "PrimaryToRecovery",
            sourceSiteOperations: "NotRequired",
            providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }],
          },
        }),
      ),
    );
    expect(planJob.properties).toMatchObject({
      scenarioName: "UnplannedFailover",
      targetInstanceType: "RecoveryPlan",
    });
    expect(
      planJob.properties.customDetails.protectedItemDetails.map((d: { name: string }) => d.name),
    ).toEqual(["vm-a", "vm-b"]);
    expect(planJob.properties.tasks[1]).toMatchObject({
      name: "Group2",
      taskType: "RecoveryPlanGroupTaskDetails",
      groupTaskCustomDetails: {
        instanceType: "RecoveryPlanGroupTaskDetails",
        rpGroupType: "Boot",
        groupId: "2",
      },
    });
    await wire.finished(wire.jobOf(await wire.post(`${planPath}/failoverCommit`)));
    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-a")}/reProtect`, reprotectBody)));
    const jobs = (await wire.get(`${vaultPath}/replicationJobs`)).body.value;
    const reprotect = jobs.find(
      (j: { properties: { scenarioName: string } }) => j.properties.scenarioName === "ReverseReplication",
    );
    expect(reprotect.properties.customDetails).toEqual({
      instanceType: "SwitchProtectionJobDetails",
      newReplicationProtectedItemId: itemPath("vm-a", recoveryFabric),
    });
  });
});
