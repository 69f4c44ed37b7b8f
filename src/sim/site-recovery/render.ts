// Site Recovery resources on the wire, as api-version 2023-06-01 shapes them.
import type { SimOperation } from "../operations.ts";
import { iso } from "../provider.ts";
import { type Job, type JobError, stateDescription } from "./jobs.ts";
import type {
  Container,
  Fabric,
  ProtectedItem,
  RecoveryPlan,
  RecoveryPoint,
  SiteRecovery,
  Vault,
} from "./model.ts";
import type { ContainerMapping, ReplicationPolicy } from "./policies.ts";
import {
  allowedOperations,
  ProtectionState,
  planAllowedOperations,
  protectionStateDescription,
  testFailoverStateDescription,
} from "./states.ts";

const ns = "Microsoft.RecoveryServices/vaults";

/** A recovery point's id: the item's, then the point's instant (the service uses a GUID). */
export const pointId = (item: ProtectedItem, time: number) => `${item.id}/recoveryPoints/${time}`;
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
      customDetails: {
        instanceType: "Azure",
        location: fabric.location,
        containerIds: [fabric.container.id],
      },
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

export function renderPolicy(policy: ReplicationPolicy, crashConsistentSeconds: number) {
  return {
    id: policy.id,
    name: policy.name,
    type: `${ns}/replicationPolicies`,
    properties: {
      friendlyName: policy.name,
      providerSpecificDetails: {
        instanceType: "A2A",
        recoveryPointThresholdInMinutes: 0,
        recoveryPointHistory: policy.recoveryPointHistoryMinutes,
        appConsistentFrequencyInMinutes: policy.appConsistentFrequencyMinutes,
        multiVmSyncStatus: "Disabled",
        crashConsistentFrequencyInMinutes: Math.round(crashConsistentSeconds / 60),
      },
    },
  };
}

export function renderMapping(mapping: ContainerMapping) {
  return {
    id: mapping.id,
    name: mapping.name,
    type: `${ns}/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings`,
    properties: {
      targetProtectionContainerId: mapping.target.id,
      targetProtectionContainerFriendlyName: mapping.target.name,
      providerSpecificDetails: {
        instanceType: "A2A",
        agentAutoUpdateStatus: "Disabled",
        automationAccountAuthenticationType: "RunAsAccount",
      },
      health: "Normal",
      healthErrorDetails: [],
      policyId: mapping.policy.id,
      state: "Paired",
      sourceProtectionContainerFriendlyName: mapping.source.name,
      sourceFabricFriendlyName: mapping.source.fabric.location,
      targetFabricFriendlyName: mapping.target.fabric.location,
      policyFriendlyName: mapping.policy.name,
    },
  };
}

export function renderItem(sr: SiteRecovery, item: ProtectedItem, now: number) {
  const { vault } = item;
  // The item's container is on the side it replicates from (after a reprotect, the recovery side),
  // and the VM it protects is the one on that side.
  const reversed = item.container !== vault.primary.container;
  const [from, to] = reversed ? [vault.recovery, vault.primary] : [vault.primary, vault.recovery];
  const [protectedVm, counterpart] = reversed
    ? [item.recoveryVm ?? item.primaryVm, item.primaryVm]
    : [item.primaryVm, item.recoveryVm];
  const rpo = sr.rpoSeconds(item);
  const health = sr.replicationHealth(item);
  const progress = sr.replicationProgress(item);
  const scenario = item.scenario;
  const state = { state: item.protectionState, description: protectionStateDescription(item) };
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
      protectionState: state.state,
      protectionStateDescription: state.description,
      activeLocation: item.activeLocation,
      testFailoverState: item.testFailoverState,
      testFailoverStateDescription: testFailoverStateDescription(item),
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
      policyId: item.policy.id,
      policyFriendlyName: item.policy.name,
      lastSuccessfulFailoverTime: time(item.lastSuccessfulFailoverTime),
      lastSuccessfulTestFailoverTime: time(item.lastSuccessfulTestFailoverTime),
      currentScenario: scenario
        ? { scenarioName: scenario.name, jobId: scenario.job.id, startTime: iso(scenario.job.startTime) }
        : idleScenario(vault.id),
      ...(item.failoverRecoveryPointTime !== undefined
        ? { failoverRecoveryPointId: pointId(item, item.failoverRecoveryPointTime) }
        : {}),
      providerSpecificDetails: {
        instanceType: "A2A",
        fabricObjectId: protectedVm.id,
        primaryFabricLocation: from.location,
        recoveryFabricLocation: to.location,
        osType: "Windows",
        recoveryAzureVMName: item.primaryVm.name,
        recoveryAzureVMSize: item.primaryVm.size,
        recoveryAzureResourceGroupId: `/subscriptions/${item.primaryVm.id.split("/")[2]}/resourceGroups/${item.recoveryResourceGroup}`,
        selectedRecoveryAzureNetworkId: vault.recoveryNetworkId,
        ...(counterpart ? { recoveryFabricObjectId: counterpart.id } : {}),
        ...(item.testVm
          ? {
              tfoAzureVMName: item.testVm.name,
              testFailoverRecoveryFabricObjectId: item.testVm.id,
              selectedTfoAzureNetworkId: item.testVm.tags["avd-dr-sim/network"],
            }
          : {}),
        vmProtectionState: state.state,
        vmProtectionStateDescription: state.description,
        ...(progress !== undefined
          ? {
              monitoringPercentageCompletion: progress,
              monitoringJobType:
                item.protectionState === ProtectionState.enabling
                  ? "InitialReplication"
                  : "Resynchronization",
            }
          : {}),
        ...(rpo !== undefined
          ? { rpoInSeconds: rpo, lastRpoCalculatedTime: iso(now), lastHeartbeat: iso(sr.lastSync(item)) }
          : {}),
      },
    },
  };
}

export function renderRecoveryPoint(item: ProtectedItem, point: RecoveryPoint) {
  return {
    id: pointId(item, point.time),
    name: String(point.time),
    type: `${ns}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints`,
    properties: {
      recoveryPointTime: iso(point.time),
      recoveryPointType: point.type,
      providerSpecificDetails: { instanceType: "A2A", recoveryPointSyncType: "PerVmRecoveryPoint" },
    },
  };
}

export function renderPlan(plan: RecoveryPlan) {
  const { vault } = plan;
  const job = plan.scenario?.job;
  const running = job?.state === "InProgress";
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
      allowedOperations: running ? [] : planAllowedOperations(plan.groups.flat()),
      lastUnplannedFailoverTime: time(plan.lastUnplannedFailoverTime),
      lastTestFailoverTime: time(plan.lastTestFailoverTime),
      currentScenario:
        plan.scenario && job
          ? { scenarioName: plan.scenario.name, jobId: job.id, startTime: iso(job.startTime) }
          : idleScenario(vault.id),
      currentScenarioStatus: job?.state ?? "None",
      ...(job ? { currentScenarioStatusDescription: stateDescription(job.state) } : {}),
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
      stateDescription: stateDescription(job.state),
      tasks: job.tasks.map((t, g) => ({
        taskId: t.taskId,
        name: t.name,
        friendlyName: t.friendlyName,
        state: t.state,
        stateDescription: stateDescription(t.state, t.skippedReason !== undefined),
        taskType: t.type,
        ...(t.type === "RecoveryPlanGroupTaskDetails"
          ? {
              groupTaskCustomDetails: {
                instanceType: t.type,
                name: t.friendlyName,
                groupId: String(g + 1),
                rpGroupType: "Boot",
                childTasks: [],
              },
            }
          : {
              customDetails: {
                instanceType: t.type,
                ...(t.skippedReason
                  ? { skippedReason: "NotApplicable", skippedReasonString: t.skippedReason }
                  : {}),
              },
            }),
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
      customDetails: job.details,
    },
  };
}

/** `…/replicationOperationStatus/{id}`: always 200, the job's progress in `status` (a live trace's shape). */
export function renderOperationStatus(op: SimOperation) {
  return {
    error: op.error ?? null,
    id: null,
    name: op.id,
    properties: null,
    status: op.status,
    startTime: iso(op.startTime),
    endTime: op.endTime === undefined ? null : iso(op.endTime),
    percentComplete: null,
  };
}
