// Site Recovery resources on the wire, as api-version 2023-06-01 shapes them.
import { iso } from "../provider.ts";
import type { Job, JobError } from "./jobs.ts";
import type { Container, Fabric, ProtectedItem, RecoveryPlan, SiteRecovery, Vault } from "./model.ts";
import { allowedOperations, describeState } from "./states.ts";

const ns = "Microsoft.RecoveryServices/vaults";
const time = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

/** What the service shows when no job runs: a job named None that started in 1753. */
const idleScenario = (vaultId: string) => ({
  scenarioName: "None",
  jobId: `${vaultId}/replicationJobs/None`,
  startTime: "1753-01-01T01:01:01Z",
});

export function renderVault(vault: Vault) {
  return {
    id: vault.id,
    name: vault.name,
    type: ns,
    location: vault.location,
    sku: { name: "Standard" },
    properties: { provisioningState: "Succeeded" },
  };
}

export function renderFabric(fabric: Fabric, vault: Vault) {
  return {
    id: fabric.id,
    name: fabric.name,
    type: `${ns}/replicationFabrics`,
    location: vault.location,
    properties: {
      friendlyName: fabric.location,
      bcdrState: "Valid",
      health: "Normal",
      healthErrorDetails: [],
      customDetails: { instanceType: "Azure", location: fabric.location },
    },
  };
}

export function renderContainer(container: Container, vault: Vault) {
  const count = [...vault.items.values()].filter((i) => i.container === container).length;
  return {
    id: container.id,
    name: container.name,
    type: `${ns}/replicationFabrics/replicationProtectionContainers`,
    location: vault.location,
    properties: {
      fabricFriendlyName: container.fabric.location,
      friendlyName: container.name,
      fabricType: "Azure",
      protectedItemCount: count,
      pairingStatus: "Paired",
      role: container === vault.primary.container ? "Primary" : "Recovery",
      fabricSpecificDetails: { instanceType: "A2A" },
    },
  };
}

export function renderItem(sr: SiteRecovery, item: ProtectedItem, now: number) {
  const { vault } = item;
  // The item's container is on the side it replicates from (after a reprotect, the recovery side).
  const [from, to] =
    item.container === vault.primary.container
      ? [vault.primary, vault.recovery]
      : [vault.recovery, vault.primary];
  const rpo = sr.rpoSeconds(item);
  const health = sr.replicationHealth(item);
  const progress = sr.replicationProgress(item);
  const scenario = item.scenario;
  return {
    id: item.id,
    name: item.name,
    type: `${ns}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems`,
    location: vault.location,
    properties: {
      friendlyName: item.primaryVm.name,
      protectedItemType: "A2A",
      primaryFabricFriendlyName: from.location,
      primaryFabricProvider: "Azure",
      recoveryFabricFriendlyName: to.location,
      recoveryFabricId: to.id,
      primaryProtectionContainerFriendlyName: from.container.name,
      recoveryProtectionContainerFriendlyName: to.container.name,
      recoveryContainerId: to.container.id,
      protectionState: item.protectionState,
      protectionStateDescription: describeState[item.protectionState] ?? item.protectionState,
      activeLocation: item.activeLocation,
      testFailoverState: item.testFailoverState,
      testFailoverStateDescription: describeState[item.testFailoverState] ?? item.testFailoverState,
      allowedOperations: allowedOperations(item),
      replicationHealth: health,
      failoverHealth: "Normal",
      healthErrors:
        health === "Normal"
          ? []
          : [
              {
                errorCode: "RpoThresholdExceeded",
                errorLevel: health === "Critical" ? "Error" : "Warning",
                summaryMessage: `The RPO of ${item.primaryVm.name} is ${rpo} seconds.`,
                creationTimeUtc: iso(now),
              },
            ],
      policyId: item.policyId,
      policyFriendlyName: item.policyId.split("/").at(-1),
      lastSuccessfulFailoverTime: time(item.lastSuccessfulFailoverTime),
      lastSuccessfulTestFailoverTime: time(item.lastSuccessfulTestFailoverTime),
      currentScenario: scenario
        ? { scenarioName: scenario.name, jobId: scenario.job.id, startTime: iso(scenario.job.startTime) }
        : idleScenario(vault.id),
      ...(item.failoverRecoveryPointTime !== undefined
        ? { failoverRecoveryPointId: `${item.id}/recoveryPoints/${item.failoverRecoveryPointTime}` }
        : {}),
      providerSpecificDetails: {
        instanceType: "A2A",
        fabricObjectId: item.primaryVm.id,
        primaryFabricLocation: from.location,
        recoveryFabricLocation: to.location,
        osType: "Windows",
        recoveryAzureVMName: item.primaryVm.name,
        recoveryAzureVMSize: item.primaryVm.size,
        recoveryAzureResourceGroupId: `/subscriptions/${item.primaryVm.id.split("/")[2]}/resourceGroups/${vault.recoveryResourceGroup}`,
        selectedRecoveryAzureNetworkId: vault.recoveryNetworkId,
        ...(item.recoveryVm ? { recoveryFabricObjectId: item.recoveryVm.id } : {}),
        ...(item.testVm
          ? {
              tfoAzureVMName: item.testVm.name,
              testFailoverRecoveryFabricObjectId: item.testVm.id,
              selectedTfoAzureNetworkId: item.testVm.tags["avd-dr-sim/network"],
            }
          : {}),
        vmProtectionState: item.protectionState,
        vmProtectionStateDescription: describeState[item.protectionState] ?? item.protectionState,
        ...(progress !== undefined
          ? {
              monitoringPercentageCompletion: progress,
              monitoringJobType:
                item.protectionState === "EnablingProtection" ? "InitialReplication" : "Resynchronization",
            }
          : {}),
        ...(rpo !== undefined
          ? { rpoInSeconds: rpo, lastRpoCalculatedTime: iso(now), lastHeartbeat: iso(sr.lastSync(item)) }
          : {}),
      },
    },
  };
}

export function renderRecoveryPoint(item: ProtectedItem, pointTime: number) {
  return {
    id: `${item.id}/recoveryPoints/${pointTime}`,
    name: String(pointTime),
    type: `${ns}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints`,
    properties: {
      recoveryPointTime: iso(pointTime),
      recoveryPointType: "CrashConsistent",
      providerSpecificDetails: { instanceType: "A2A", recoveryPointSyncType: "PerVmRecoveryPoint" },
    },
  };
}

export function renderPlan(plan: RecoveryPlan) {
  const { vault } = plan;
  const items = plan.groups.flat();
  const allowed = allowedOperations(items[0]!).filter((op) =>
    items.every((i) => allowedOperations(i).includes(op)),
  );
  return {
    id: plan.id,
    name: plan.name,
    type: `${ns}/replicationRecoveryPlans`,
    location: vault.location,
    properties: {
      friendlyName: plan.name,
      primaryFabricId: vault.primary.id,
      primaryFabricFriendlyName: vault.primary.location,
      recoveryFabricId: vault.recovery.id,
      recoveryFabricFriendlyName: vault.recovery.location,
      failoverDeploymentModel: "NotApplicable",
      replicationProviders: ["A2A"],
      allowedOperations: plan.scenario ? [] : allowed,
      lastUnplannedFailoverTime: time(plan.lastUnplannedFailoverTime),
      lastTestFailoverTime: time(plan.lastTestFailoverTime),
      currentScenario: plan.scenario
        ? {
            scenarioName: plan.scenario.name,
            jobId: plan.scenario.job.id,
            startTime: iso(plan.scenario.job.startTime),
          }
        : idleScenario(vault.id),
      currentScenarioStatus: plan.scenario?.job.state ?? "None",
      groups: [
        { groupType: "Shutdown", replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] },
        { groupType: "Failover", replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] },
        ...plan.groups.map((group) => ({
          groupType: "Boot",
          replicationProtectedItems: group.map((i) => ({ id: i.id, virtualMachineId: i.primaryVm.id })),
          startGroupActions: [],
          endGroupActions: [],
        })),
      ],
      providerSpecificDetails: [{ instanceType: "A2A" }],
    },
  };
}

function renderErrors(errors: { error: JobError; taskId: string; time: number }[]) {
  return errors.map((e) => ({
    serviceErrorDetails: {
      code: e.error.code,
      message: e.error.message,
      ...(e.error.possibleCauses ? { possibleCauses: e.error.possibleCauses } : {}),
      ...(e.error.recommendedAction ? { recommendedAction: e.error.recommendedAction } : {}),
    },
    errorLevel: "Error",
    creationTime: iso(e.time),
    taskId: e.taskId,
  }));
}

export function renderJob(job: Job) {
  return {
    id: job.id,
    name: job.name,
    type: `${ns}/replicationJobs`,
    properties: {
      activityId: `${job.name} ActivityId: ${job.name}`,
      scenarioName: job.scenarioName,
      friendlyName: job.friendlyName,
      state: job.state,
      stateDescription: job.state === "InProgress" ? "InProgress" : "Completed",
      tasks: job.tasks.map((t) => ({
        taskId: t.taskId,
        name: t.name,
        friendlyName: t.friendlyName,
        state: t.state,
        stateDescription: t.state,
        taskType: "TaskDetails",
        startTime: time(t.startTime),
        endTime: time(t.endTime),
        allowedActions: [],
        errors: renderErrors(job.errors.filter((e) => e.taskId === t.taskId)),
      })),
      errors: renderErrors(job.errors),
      startTime: iso(job.startTime),
      endTime: time(job.endTime),
      allowedActions: job.state === "InProgress" ? ["Cancel"] : job.state === "Failed" ? ["Restart"] : [],
      targetObjectId: job.targetObjectId,
      targetObjectName: job.targetObjectName,
      targetInstanceType: job.targetInstanceType,
      customDetails: { instanceType: "AsrJobDetails", affectedObjectDetails: {} },
    },
  };
}
