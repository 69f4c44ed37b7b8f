// SiteRecoveryGateway over @azure/arm-recoveryservices-siterecovery 5.1 (AutoRest HLC; every
// method takes the vault name first, then the resource group). Each action sends its POST,
// waits only for the 202 and hands back the job it started: ASR's own record of the work,
// with tasks and errors. Following the job (replicationJobs.get) is how a caller resumes
// after a restart; nothing is sent twice.

import {
  type A2AReplicationDetails,
  type AzureFabricSpecificDetails,
  SiteRecoveryManagementClient,
} from "@azure/arm-recoveryservices-siterecovery";
import type { TokenCredential } from "@azure/identity";
import { collect } from "./collect.ts";
import type { AzureConnection } from "./connection.ts";
import { AzureError, azureCall, azureGet } from "./errors.ts";
import type {
  ContainerMappingInfo,
  EnableReplication,
  FailoverDirection,
  FailoverOptions,
  OperationProgress,
  ProtectedItemInfo,
  ProtectedItemRef,
  RecoveryPlanInfo,
  RecoveryPlanRef,
  RecoveryPointType,
  SiteRecoveryGateway,
  SiteRecoveryJobInfo,
  SiteRecoveryOperation,
  SiteRecoveryTarget,
  VaultRef,
} from "./gateways.ts";
import { sleep } from "./sleep.ts";

type SdkItem = Awaited<ReturnType<SiteRecoveryManagementClient["replicationProtectedItems"]["get"]>>;
type SdkJob = Awaited<ReturnType<SiteRecoveryManagementClient["replicationJobs"]["get"]>>;
/** The raw response an SDK call reports through `onResponse`. */
interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}

export class SiteRecoveryAdapter implements SiteRecoveryGateway {
  readonly #client: SiteRecoveryManagementClient;
  readonly #pollIntervalMs: number;
  readonly #mappings = new Map<string, { at: number; value: Promise<ContainerMappingInfo[]> }>();

  constructor(connection: AzureConnection, credential: TokenCredential, options: object) {
    this.#pollIntervalMs = connection.pollIntervalMs ?? 10_000;
    this.#client = new SiteRecoveryManagementClient(credential, connection.subscriptionId, options);
  }

  listProtectedItems(vault: VaultRef): Promise<ProtectedItemInfo[]> {
    return azureCall(`listing the protected items of vault ${vault.resourceGroup}/${vault.vault}`, () =>
      collect(this.#client.replicationProtectedItems.list(vault.vault, vault.resourceGroup), (item) =>
        itemInfo(item, vault),
      ),
    );
  }

  getRecoveryPlan(plan: RecoveryPlanRef): Promise<RecoveryPlanInfo | undefined> {
    return azureGet(`reading recovery plan ${plan.recoveryPlan} of vault ${plan.vault}`, async () => {
      const found = await this.#client.replicationRecoveryPlans.get(...planArgs(plan));
      const p = found.properties ?? {};
      // A plan keeps naming its last job once it ended; only a running one is current.
      const running = !p.currentScenarioStatus || !endedStates.has(p.currentScenarioStatus);
      const scenario = running ? currentJob(p.currentScenario) : undefined;
      return {
        ...plan,
        id: found.id ?? "",
        allowedOperations: p.allowedOperations ?? [],
        ...(scenario ? { currentJob: scenario } : {}),
        bootGroups: (p.groups ?? [])
          .filter((g) => g.groupType === "Boot")
          .map((g) => (g.replicationProtectedItems ?? []).map((i) => i.id ?? "")),
      };
    });
  }

  listContainerMappings(vault: VaultRef): Promise<ContainerMappingInfo[]> {
    return azureCall(
      `listing the container mappings of vault ${vault.resourceGroup}/${vault.vault}`,
      async () => {
        // A container's id starts with its fabric's; the fabric knows the region.
        const fabrics = await collect(
          this.#client.replicationFabrics.list(vault.vault, vault.resourceGroup),
          (f) => ({
            prefix: `${(f.id ?? "").toLowerCase()}/`,
            location: (f.properties?.customDetails as AzureFabricSpecificDetails | undefined)?.location,
          }),
        );
        const locationOf = (containerId: string) =>
          fabrics.find((f) => containerId.toLowerCase().startsWith(f.prefix))?.location;
        return collect(
          this.#client.replicationProtectionContainerMappings.list(vault.vault, vault.resourceGroup),
          (m) => {
            const id = m.id ?? "";
            const sourceContainerId = id.slice(
              0,
              id.toLowerCase().lastIndexOf("/replicationprotectioncontainermappings/"),
            );
            const targetContainerId = m.properties?.targetProtectionContainerId ?? "";
            const sourceLocation = locationOf(sourceContainerId);
            const targetLocation = locationOf(targetContainerId);
            return {
              id,
              name: m.name ?? "",
              sourceContainerId,
              targetContainerId,
              policyId: m.properties?.policyId ?? "",
              ...(sourceLocation ? { sourceLocation } : {}),
              ...(targetLocation ? { targetLocation } : {}),
              state: m.properties?.state ?? "Unknown",
            };
          },
        );
      },
    );
  }

  beginEnableReplication(vault: VaultRef, spec: EnableReplication): Promise<SiteRecoveryOperation> {
    const name = spec.item ?? spec.vmId.split("/").at(-1) ?? "";
    const target = { ...vault, fabric: spec.fabric, container: spec.container, item: name };
    return this.#begin("siteRecovery/enableReplication", target, (o) =>
      this.#client.replicationProtectedItems.beginCreate(
        ...itemArgs(target),
        {
          properties: {
            policyId: spec.policyId,
            providerSpecificDetails: {
              instanceType: "A2A",
              fabricObjectId: spec.vmId,
              ...(spec.recoveryResourceGroupId
                ? { recoveryResourceGroupId: spec.recoveryResourceGroupId }
                : {}),
              ...(spec.recoveryContainerId ? { recoveryContainerId: spec.recoveryContainerId } : {}),
            },
          },
        },
        o,
      ),
    );
  }

  async beginFailover(target: SiteRecoveryTarget, options: FailoverOptions): Promise<SiteRecoveryOperation> {
    const { direction } = options;
    if (isPlan(target)) {
      const plans = this.#client.replicationRecoveryPlans;
      if (options.type === "test")
        return this.#begin("siteRecovery/testFailover", target, (o) =>
          plans.beginTestFailover(
            ...planArgs(target),
            {
              properties: {
                failoverDirection: direction,
                networkType: "VmNetworkAsInput",
                networkId: options.networkId,
                providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }],
              },
            },
            o,
          ),
        );
      if (options.type === "unplanned" && options.recoveryPointId)
        throw new AzureError(
          `recoveryPointId is for a single item; recovery plan ${target.recoveryPlan} fails over to a recoveryPointType`,
          "InvalidInput",
        );
      return this.#begin(`siteRecovery/${options.type}Failover`, target, (o) =>
        plans.beginUnplannedFailover(
          ...planArgs(target),
          {
            properties: {
              failoverDirection: direction,
              sourceSiteOperations: options.type === "planned" ? "Required" : "NotRequired",
              providerSpecificDetails: [
                {
                  instanceType: "A2A",
                  recoveryPointType:
                    options.type === "unplanned" ? (options.recoveryPointType ?? "Latest") : "Latest",
                },
              ],
            },
          },
          o,
        ),
      );
    }
    const items = this.#client.replicationProtectedItems;
    const path = itemArgs(target);
    if (options.type === "test")
      return this.#begin("siteRecovery/testFailover", target, (o) =>
        items.beginTestFailover(
          ...path,
          {
            properties: {
              failoverDirection: direction,
              networkType: "VmNetworkAsInput",
              networkId: options.networkId,
              providerSpecificDetails: { instanceType: "A2A" },
            },
          },
          o,
        ),
      );
    // A2A has no single-item plannedFailover: planned is unplannedFailover that shuts the source down first.
    return this.#begin(`siteRecovery/${options.type}Failover`, target, async (o) => {
      const recoveryPointId =
        options.type === "unplanned" ? await this.#recoveryPointOf(target, options) : undefined;
      return items.beginUnplannedFailover(
        ...path,
        {
          properties: {
            failoverDirection: direction,
            sourceSiteOperations: options.type === "planned" ? "Required" : "NotRequired",
            providerSpecificDetails: { instanceType: "A2A", ...(recoveryPointId ? { recoveryPointId } : {}) },
          },
        },
        o,
      );
    });
  }

  /**
   * An item's failover input has a recovery point's id, not a type (a plan's has the type):
   * none for Latest, else the newest point of the kind asked for among the item's points.
   */
  async #recoveryPointOf(
    item: ProtectedItemRef,
    options: { recoveryPointType?: RecoveryPointType; recoveryPointId?: string },
  ): Promise<string | undefined> {
    const type = options.recoveryPointType ?? "Latest";
    if (options.recoveryPointId || type === "Latest") return options.recoveryPointId;
    const points = await collect(
      this.#client.recoveryPoints.listByReplicationProtectedItems(...itemArgs(item)),
      (p) => ({
        id: p.id ?? "",
        time: p.properties?.recoveryPointTime?.getTime() ?? 0,
        kind: p.properties?.recoveryPointType,
      }),
    );
    const newest = points
      .filter((p) => type !== "LatestApplicationConsistent" || p.kind === "ApplicationConsistent")
      .sort((a, b) => b.time - a.time)[0];
    if (!newest)
      throw new AzureError(
        `${targetId(item)} has no ${type === "LatestApplicationConsistent" ? "app-consistent " : ""}recovery point to fail over to; use recoveryPointType Latest`,
        "RecoveryPointNotFound",
      );
    return newest.id;
  }

  beginTestFailoverCleanup(
    target: SiteRecoveryTarget,
    comments = "Test failover cleanup",
  ): Promise<SiteRecoveryOperation> {
    const input = { properties: { comments } };
    return this.#begin("siteRecovery/testFailoverCleanup", target, (o) =>
      isPlan(target)
        ? this.#client.replicationRecoveryPlans.beginTestFailoverCleanup(...planArgs(target), input, o)
        : this.#client.replicationProtectedItems.beginTestFailoverCleanup(...itemArgs(target), input, o),
    );
  }

  beginCommit(target: SiteRecoveryTarget): Promise<SiteRecoveryOperation> {
    return this.#begin("siteRecovery/commit", target, (o) =>
      isPlan(target)
        ? this.#client.replicationRecoveryPlans.beginFailoverCommit(...planArgs(target), o)
        : this.#client.replicationProtectedItems.beginFailoverCommit(...itemArgs(target), o),
    );
  }

  /**
   * The vault's container mappings for the reprotects of one pass: read once a minute, not once per
   * item (a reprotect of a thousand items would otherwise read them a thousand times).
   */
  #mappingsOf(vault: VaultRef): Promise<ContainerMappingInfo[]> {
    const key = `${vault.resourceGroup}/${vault.vault}`.toLowerCase();
    const now = performance.now();
    const kept = this.#mappings.get(key);
    if (kept && now - kept.at < MAPPINGS_KEPT_MS) return kept.value;
    const value = this.listContainerMappings(vault);
    this.#mappings.set(key, { at: now, value });
    value.catch(() => this.#mappings.delete(key));
    return value;
  }

  beginReprotect(
    target: RecoveryPlanRef | ProtectedItemInfo,
    direction: FailoverDirection,
  ): Promise<SiteRecoveryOperation> {
    if (isPlan(target))
      // A plan's reprotect takes no input: each item replicates back from where it runs.
      return this.#begin("siteRecovery/reprotect", target, (o) =>
        this.#client.replicationRecoveryPlans.beginReprotect(...planArgs(target), o),
      );
    return this.#begin("siteRecovery/reprotect", target, async (o) => {
      const providerSpecificDetails = await this.#reprotectInput(target);
      return this.#client.replicationProtectedItems.beginReprotect(
        ...itemArgs(target),
        { properties: { failoverDirection: direction, providerSpecificDetails } },
        o,
      );
    });
  }

  /**
   * A2AReprotectInput as the portal and PowerShell fill it: the reverse mapping (from the
   * container the item fails over to, back to its own) gives the container and the policy;
   * a later failover lands in the resource group of the VM the item protects now.
   */
  async #reprotectInput(item: ProtectedItemInfo) {
    const own = item.id.slice(0, item.id.toLowerCase().lastIndexOf("/replicationprotecteditems/"));
    const from = (item.recoveryContainerId ?? "").toLowerCase();
    const mapping = (await this.#mappingsOf(item)).find(
      (m) =>
        m.sourceContainerId.toLowerCase() === from && m.targetContainerId.toLowerCase() === own.toLowerCase(),
    );
    if (!mapping)
      throw new AzureError(
        `${targetId(item)}: vault ${item.vault} has no protection container mapping from ${item.recoveryContainerId} back to ${own}; create it, then reprotect`,
        "ProtectionContainerMappingNotFound",
      );
    const vmId = item.a2a?.vmId ?? "";
    const group = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\//i.exec(vmId)?.[1];
    return {
      instanceType: "A2A" as const,
      recoveryContainerId: mapping.targetContainerId,
      policyId: mapping.policyId,
      ...(group ? { recoveryResourceGroupId: group } : {}),
    };
  }

  getJob(vault: VaultRef, jobName: string): Promise<SiteRecoveryJobInfo | undefined> {
    return azureGet(`reading Site Recovery job ${jobName} of vault ${vault.vault}`, async () =>
      jobInfo(await this.#client.replicationJobs.get(vault.vault, vault.resourceGroup, jobName)),
    );
  }

  async checkOperation(operation: SiteRecoveryOperation): Promise<OperationProgress> {
    const job = await this.getJob(operation.job, operation.job.name);
    if (!job)
      throw new AzureError(
        `${describe(operation)}: job ${operation.job.name} no longer exists`,
        "JobNotFound",
        404,
      );
    switch (job.state) {
      case "Succeeded":
        return { status: "succeeded" };
      case "Failed":
        return { status: "failed", error: jobFailure(job, operation) };
      case "Cancelled":
      case "Canceled":
        return { status: "canceled" };
      default:
        return { status: "running" };
    }
  }

  async waitForOperation(
    operation: SiteRecoveryOperation,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<void> {
    for (;;) {
      options.abortSignal?.throwIfAborted();
      const progress = await this.checkOperation(operation);
      if (progress.status === "succeeded") return;
      if (progress.status === "failed") throw new AzureError(progress.error.message, progress.error.code);
      if (progress.status === "canceled")
        throw new AzureError(
          `${describe(operation)}: job ${operation.job.name} was cancelled`,
          "JobCancelled",
        );
      await sleep(this.#pollIntervalMs, options.abortSignal);
    }
  }

  /**
   * Sends an action and hands back the job it started, named in the 202's polling URL. The
   * SDK polls once before returning; if the job has already failed by then it throws, but
   * the job is started all the same, so the operation is handed back and its failure is
   * read from the job like any other.
   */
  async #begin(
    kind: string,
    target: SiteRecoveryTarget,
    start: (options: { onResponse: (response: RawResponse) => void }) => Promise<unknown>,
  ): Promise<SiteRecoveryOperation> {
    const id = targetId(target);
    return azureCall(`${kind} of ${id}`, async () => {
      let accepted: RawResponse | undefined;
      const onResponse = (response: RawResponse) => {
        if (response.status === 202) accepted ??= response;
      };
      try {
        await start({ onResponse });
      } catch (error) {
        if (accepted === undefined || (error as Error).name === "RestError") throw error;
      }
      const location = accepted?.headers.get("location");
      const polling = accepted?.headers.get("azure-asyncoperation") ?? location;
      const name = jobNameOf(location) ?? jobNameOf(polling);
      if (!polling || !name)
        throw new AzureError(`${kind} of ${id}: the service named no job to follow`, "NoJobReturned");
      return {
        kind,
        target: id,
        resumeToken: polling,
        job: { resourceGroup: target.resourceGroup, vault: target.vault, name },
      };
    });
  }
}

const isPlan = (target: SiteRecoveryTarget): target is RecoveryPlanRef => "recoveryPlan" in target;
/** How long the container mappings read for reprotects are reused (real ms). */
const MAPPINGS_KEPT_MS = 60_000;
/** The SDK's leading arguments: the vault name first, then the resource group. */
const itemArgs = (t: ProtectedItemRef) => [t.vault, t.resourceGroup, t.fabric, t.container, t.item] as const;
const planArgs = (t: RecoveryPlanRef) => [t.vault, t.resourceGroup, t.recoveryPlan] as const;

function targetId(target: SiteRecoveryTarget): string {
  const vault = `resourceGroups/${target.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${target.vault}`;
  return isPlan(target)
    ? `${vault}/replicationRecoveryPlans/${target.recoveryPlan}`
    : `${vault}/replicationFabrics/${target.fabric}/replicationProtectionContainers/${target.container}/replicationProtectedItems/${target.item}`;
}

/**
 * The job an action started, from a URL of its 202: Location's `…/operationresults/{job}`
 * (where PowerShell reads it), Azure-AsyncOperation's `…/replicationOperationStatus/{job}`,
 * or a `replicationJobs/{job}` segment.
 */
export function jobNameOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = new URL(url, "https://management.azure.com").pathname;
  const name =
    /\/replicationJobs\/([^/]+)/i.exec(path)?.[1] ??
    /\/(?:operationresults|replicationOperationStatus)\/([^/]+)$/i.exec(path)?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

/** Job states after which a plan's current scenario is only a record of the last job. */
const endedStates = new Set(["Succeeded", "Failed", "Cancelled", "Canceled", "Other"]);

const describe = (operation: SiteRecoveryOperation) => `${operation.kind} of ${operation.target}`;

/** The failed job's first error (the failed task's), with what ASR recommends. */
function jobFailure(
  job: SiteRecoveryJobInfo,
  operation: SiteRecoveryOperation,
): { code: string; message: string } {
  const error = job.errors[0];
  const task = job.tasks.find((t) => t.state === "Failed");
  const where = task ? ` at task "${task.friendlyName}"` : "";
  if (!error) return { code: "JobFailed", message: `${describe(operation)}: job ${job.name} failed${where}` };
  const advice = error.recommendedAction ? ` ${error.recommendedAction}` : "";
  return {
    code: error.code,
    message: `${describe(operation)}: job ${job.name} failed${where}: ${error.message}${advice}`,
  };
}

/** The job a current scenario names; none when idle (the service shows a job named None). */
function currentJob(
  scenario: { scenarioName?: string; jobId?: string } | undefined,
): { scenarioName: string; jobName: string } | undefined {
  if (!scenario?.scenarioName || scenario.scenarioName === "None" || !scenario.jobId) return undefined;
  return { scenarioName: scenario.scenarioName, jobName: scenario.jobId.split("/").at(-1) ?? "" };
}

function refOf(id: string, vault: VaultRef): ProtectedItemRef {
  const parts = id.split("/");
  const after = (segment: string) =>
    parts[parts.findIndex((p) => p.toLowerCase() === segment.toLowerCase()) + 1] ?? "";
  return {
    ...vault,
    fabric: after("replicationFabrics"),
    container: after("replicationProtectionContainers"),
    item: after("replicationProtectedItems"),
  };
}

function itemInfo(item: SdkItem, vault: VaultRef): ProtectedItemInfo {
  const p = item.properties ?? {};
  const details = p.providerSpecificDetails;
  // The union includes its base type, so the discriminant alone does not narrow it.
  const a2a = details?.instanceType === "A2A" ? (details as A2AReplicationDetails) : undefined;
  const scenario = currentJob(p.currentScenario);
  return {
    ...refOf(item.id ?? "", vault),
    id: item.id ?? "",
    friendlyName: p.friendlyName ?? item.name ?? "",
    protectionState: p.protectionState ?? "Unknown",
    protectionStateDescription: p.protectionStateDescription ?? "",
    activeLocation: p.activeLocation ?? "Unknown",
    replicationHealth: p.replicationHealth ?? "Unknown",
    testFailoverState: p.testFailoverState ?? "None",
    allowedOperations: p.allowedOperations ?? [],
    ...(scenario ? { currentJob: scenario } : {}),
    ...(p.lastSuccessfulFailoverTime ? { lastSuccessfulFailoverTime: p.lastSuccessfulFailoverTime } : {}),
    ...(p.policyId ? { policyId: p.policyId } : {}),
    ...(p.recoveryContainerId ? { recoveryContainerId: p.recoveryContainerId } : {}),
    ...(a2a
      ? {
          a2a: {
            vmId: a2a.fabricObjectId ?? "",
            ...(a2a.primaryFabricLocation ? { primaryLocation: a2a.primaryFabricLocation } : {}),
            ...(a2a.recoveryFabricLocation ? { recoveryLocation: a2a.recoveryFabricLocation } : {}),
            ...(a2a.recoveryAzureResourceGroupId
              ? { recoveryResourceGroupId: a2a.recoveryAzureResourceGroupId }
              : {}),
            ...(a2a.recoveryFabricObjectId ? { recoveryVmId: a2a.recoveryFabricObjectId } : {}),
            ...(a2a.testFailoverRecoveryFabricObjectId
              ? { testVmId: a2a.testFailoverRecoveryFabricObjectId }
              : {}),
            ...(a2a.rpoInSeconds !== undefined ? { rpoSeconds: a2a.rpoInSeconds } : {}),
            ...(a2a.lastRpoCalculatedTime ? { lastRpoCalculatedTime: a2a.lastRpoCalculatedTime } : {}),
            ...(a2a.monitoringPercentageCompletion !== undefined
              ? { replicationProgress: a2a.monitoringPercentageCompletion }
              : {}),
          },
        }
      : {}),
  };
}

function jobInfo(job: SdkJob): SiteRecoveryJobInfo {
  const p = job.properties ?? {};
  return {
    name: job.name ?? "",
    id: job.id ?? "",
    scenarioName: p.scenarioName ?? "",
    state: p.state ?? "Other",
    ...(p.targetObjectId ? { targetObjectId: p.targetObjectId } : {}),
    ...(p.targetObjectName ? { targetObjectName: p.targetObjectName } : {}),
    ...(p.startTime ? { startTime: p.startTime } : {}),
    ...(p.endTime ? { endTime: p.endTime } : {}),
    tasks: (p.tasks ?? []).map((t) => ({
      name: t.name ?? "",
      friendlyName: t.friendlyName ?? "",
      state: t.state ?? "",
      stateDescription: t.stateDescription ?? "",
    })),
    errors: (p.errors ?? []).map((e) => ({
      code: e.serviceErrorDetails?.code ?? "Unknown",
      message: e.serviceErrorDetails?.message ?? "",
      ...(e.serviceErrorDetails?.recommendedAction
        ? { recommendedAction: e.serviceErrorDetails.recommendedAction }
        : {}),
      ...(e.taskId ? { taskId: e.taskId } : {}),
    })),
  };
}
