// Strategy SiteRecovery: every session host of the active region is replicated by ASR, healthy
// and within the RPO target; a VM without replication is enabled when the plan asks for it.
// Decided from what ASR reports an item may do (allowedOperations), the job running on it
// (currentScenario) and its health and RPO, never from protectionState's display names.
import {
  type ConditionInput,
  formatDuration,
  parseDuration,
  type ReplicationStatus,
} from "../../api/index.ts";
import { classifyAzureError } from "../../azure/classify.ts";
import { AzureError } from "../../azure/errors.ts";
import type { ProtectedItemInfo, RecoveryPlanInfo, VaultRef } from "../../azure/gateways.ts";
import { activeRegionOf, type Host, type Inventory, regionSpec } from "../inventory.ts";
import { some } from "../some.ts";
import { mayAct, type PostureContext, type Problem } from "./context.ts";

/** At most this many protections are started per reconcile, so a reconcile stays short. */
const ENABLE_PER_PASS = 50;

export interface ReplicationPosture {
  protectedCondition: ConditionInput;
  replication: ReplicationStatus;
  /** Why a failover could not start now. */
  readiness: Problem[];
  inFlight: string[];
}

type HostReplication =
  | { state: "ok"; item: ProtectedItemInfo }
  | { state: "unprotected" }
  | { state: "enabling"; item: ProtectedItemInfo }
  | { state: "busy"; item: ProtectedItemInfo; job: string }
  | { state: "notReprotected" | "notCommitted" | "notReplicating"; item: ProtectedItemInfo }
  | { state: "unhealthy" | "late"; item: ProtectedItemInfo };

export const vaultOf = (ctx: PostureContext): VaultRef => {
  const sr = ctx.plan.spec.siteRecovery!;
  return { resourceGroup: sr.vaultResourceGroup, vault: sr.vaultName };
};

/** Every protected item of the vault, by the lower-case id of the VM it runs on now or replicates. */
export async function protectedItemsByVm(ctx: PostureContext): Promise<Map<string, ProtectedItemInfo>> {
  const vault = vaultOf(ctx);
  let items: ProtectedItemInfo[];
  try {
    items = await ctx.gateways.siteRecovery.listProtectedItems(vault);
  } catch (error) {
    if (error instanceof AzureError && error.notFound)
      throw new AzureError(
        `spec.siteRecovery.vaultName: Recovery Services vault ${vault.vault} in resource group ${vault.resourceGroup} was not found: create it, or correct spec.siteRecovery`,
        "VaultNotFound",
        404,
        undefined,
        { cause: error },
      );
    throw error;
  }
  const byVm = new Map<string, ProtectedItemInfo>();
  for (const item of items) {
    if (item.a2a?.vmId) byVm.set(item.a2a.vmId.toLowerCase(), item);
    if (item.a2a?.recoveryVmId) byVm.set(item.a2a.recoveryVmId.toLowerCase(), item);
  }
  return byVm;
}

export async function keepReplication(
  ctx: PostureContext,
  inventory: Inventory,
): Promise<ReplicationPosture> {
  const { plan } = ctx;
  const active = activeRegionOf(plan);
  const rpoTargetSeconds = parseDuration(plan.spec.rpoTarget ?? "15m") / 1000;
  const byVm = await protectedItemsByVm(ctx);
  const hosts = inventory.hosts.filter((h) => h.region === active);
  const states = hosts.map((h) => ({ host: h, r: replicationOf(h, byVm, rpoTargetSeconds) }));

  const inFlight: string[] = [];
  const unprotected = states.filter((s) => s.r.state === "unprotected").map((s) => s.host);
  const enableProblem =
    ctx.acting && plan.spec.siteRecovery?.enableReplication && active === "Primary" && unprotected.length > 0
      ? await enableReplication(ctx, unprotected, [...byVm.values()], inFlight)
      : undefined;

  const worst = states
    .map((s) => ("item" in s.r ? s.r.item : undefined))
    .filter((i): i is ProtectedItemInfo => i?.a2a?.rpoSeconds !== undefined)
    .sort((a, b) => b.a2a!.rpoSeconds! - a.a2a!.rpoSeconds!)[0];
  const count = (...wanted: HostReplication["state"][]) => states.filter((s) => wanted.includes(s.r.state));
  const replication: ReplicationStatus = {
    protected: states.length - unprotected.length,
    unhealthy: states.filter((s) => "item" in s.r && s.r.item.replicationHealth !== "Normal").length,
    unprotected: unprotected.slice(0, 100).map(vmName),
    unprotectedCount: unprotected.length,
    enabling: count("enabling").length,
    ...(worst
      ? {
          worstRpo: formatDuration(worst.a2a!.rpoSeconds! * 1000),
          worstRpoSeconds: worst.a2a!.rpoSeconds!,
          worstRpoItem: worst.friendlyName,
        }
      : {}),
  };

  const protectedCondition = protectedConditionOf(ctx, states, unprotected, rpoTargetSeconds);
  const readiness: Problem[] = [];
  if (enableProblem) readiness.push(enableProblem);
  if (protectedCondition.status !== "True")
    readiness.push({ reason: protectedCondition.reason, message: protectedCondition.message });
  const recoveryPlan = plan.spec.siteRecovery?.recoveryPlanName;
  if (recoveryPlan) {
    const found = await ctx.gateways.siteRecovery.getRecoveryPlan({ ...vaultOf(ctx), recoveryPlan });
    const problem = recoveryPlanProblem(recoveryPlan, found, states);
    if (problem) readiness.push(problem);
  }
  return { protectedCondition, replication, readiness, inFlight };
}

function replicationOf(
  host: Host,
  byVm: Map<string, ProtectedItemInfo>,
  rpoTargetSeconds: number,
): HostReplication {
  const item = host.info.vmResourceId ? byVm.get(host.info.vmResourceId.toLowerCase()) : undefined;
  if (!item) return { state: "unprotected" };
  const allowed = new Set(item.allowedOperations);
  if (!allowed.has("UnplannedFailover")) {
    // Initial replication is a job on the item; its progress is reported while it runs.
    if (item.currentJob && item.a2a?.replicationProgress !== undefined) return { state: "enabling", item };
    if (item.currentJob) return { state: "busy", item, job: item.currentJob.scenarioName };
    if (allowed.has("ReverseReplicate")) return { state: "notReprotected", item };
    if (allowed.has("Commit")) return { state: "notCommitted", item };
    return { state: "notReplicating", item };
  }
  if (item.replicationHealth !== "Normal") return { state: "unhealthy", item };
  if ((item.a2a?.rpoSeconds ?? 0) > rpoTargetSeconds) return { state: "late", item };
  return { state: "ok", item };
}

const vmName = (host: Host) => host.info.vmResourceId?.split("/").at(-1) ?? host.info.name;

function protectedConditionOf(
  ctx: PostureContext,
  states: { host: Host; r: HostReplication }[],
  unprotected: Host[],
  rpoTargetSeconds: number,
): ConditionInput {
  const region = regionSpec(ctx.plan, activeRegionOf(ctx.plan)).location;
  const notProtected = (reason: string, message: string): ConditionInput => ({
    type: "Protected",
    status: "False",
    reason,
    message,
  });
  if (states.length === 0)
    return notProtected(
      "NoSessionHosts",
      `no session host of the plan's host pools runs in ${region}: nothing to protect`,
    );
  const names = (...wanted: HostReplication["state"][]) =>
    states.filter((s) => wanted.includes(s.r.state)).map((s) => vmName(s.host));
  if (unprotected.length > 0) {
    const fix = ctx.plan.spec.siteRecovery?.enableReplication
      ? "replication is being enabled for them"
      : "enable replication for them in the vault, or set spec.siteRecovery.enableReplication: true";
    return notProtected(
      "Unprotected",
      `${unprotected.length} session-host VM(s) have no replication: ${some(unprotected.map(vmName))}; ${fix}`,
    );
  }
  const enabling = names("enabling");
  if (enabling.length > 0)
    return notProtected(
      "InitialReplication",
      `initial replication is running for ${enabling.length} VM(s): ${some(enabling)}`,
    );
  const busy = states.filter((s) => s.r.state === "busy");
  if (busy.length > 0)
    return notProtected(
      "ReplicationBusy",
      `an ASR job runs on ${busy.length} protected item(s): ${some(busy.map((s) => `${vmName(s.host)} (${(s.r as { job: string }).job})`))}`,
    );
  const notCommitted = names("notCommitted");
  if (notCommitted.length > 0)
    return notProtected(
      "FailoverNotCommitted",
      `the failover of ${some(notCommitted)} is not committed: commit it (a FailoverRequest with commit: true), then reprotect`,
    );
  const notReprotected = names("notReprotected");
  if (notReprotected.length > 0)
    return notProtected(
      "NotReprotected",
      `${some(notReprotected)} run(s) in ${region} without replication back: reprotect (a FailoverRequest with reprotect: true, or reProtect in the vault)`,
    );
  const notReplicating = names("notReplicating");
  if (notReplicating.length > 0)
    return notProtected(
      "NotReplicating",
      `ASR does not allow a failover of ${some(notReplicating)} now: check the protected items in the vault`,
    );
  const unhealthy = states.filter((s) => s.r.state === "unhealthy");
  if (unhealthy.length > 0)
    return notProtected(
      "ReplicationUnhealthy",
      `replication health is not Normal for ${some(unhealthy.map((s) => `${vmName(s.host)} (${(s.r as { item: ProtectedItemInfo }).item.replicationHealth})`))}`,
    );
  const late = states.filter((s) => s.r.state === "late");
  if (late.length > 0)
    return notProtected(
      "RpoExceeded",
      `the RPO of ${late.length} VM(s) exceeds rpoTarget ${formatDuration(rpoTargetSeconds * 1000)}: ${some(late.map((s) => `${vmName(s.host)} (${formatDuration(((s.r as { item: ProtectedItemInfo }).item.a2a?.rpoSeconds ?? 0) * 1000)})`))}`,
    );
  return {
    type: "Protected",
    status: "True",
    reason: "Replicating",
    message: `${states.length} session-host VM(s) in ${region} replicate healthily within rpoTarget ${formatDuration(rpoTargetSeconds * 1000)}`,
  };
}

function recoveryPlanProblem(
  name: string,
  plan: RecoveryPlanInfo | undefined,
  states: { host: Host; r: HostReplication }[],
): Problem | undefined {
  if (!plan)
    return {
      reason: "RecoveryPlanNotFound",
      message: `spec.siteRecovery.recoveryPlanName: recovery plan ${name} was not found in the vault: create it with every session-host VM, or remove the field to fail over item by item`,
    };
  const inPlan = new Set(plan.bootGroups.flat().map((id) => id.toLowerCase()));
  const missing = states
    .filter((s) => "item" in s.r && !inPlan.has(s.r.item.id.toLowerCase()))
    .map((s) => vmName(s.host));
  if (missing.length > 0)
    return {
      reason: "RecoveryPlanIncomplete",
      message: `recovery plan ${name} lacks ${missing.length} protected session host(s): ${some(missing)}; add them to one of its boot groups`,
    };
  if (plan.currentJob)
    return {
      reason: "RecoveryPlanBusy",
      message: `recovery plan ${name} is running job ${plan.currentJob.jobName} (${plan.currentJob.scenarioName})`,
    };
  return undefined;
}

/**
 * Starts protection for VMs without it, with the policy and containers of the vault's mapping
 * from the primary to the secondary region and the recovery resource group its items use
 * (else spec.secondary.resourceGroup). Returns a problem when the vault has no such mapping.
 */
async function enableReplication(
  ctx: PostureContext,
  hosts: Host[],
  items: ProtectedItemInfo[],
  inFlight: string[],
): Promise<Problem | undefined> {
  const { plan } = ctx;
  const vault = vaultOf(ctx);
  const from = plan.spec.primary.location;
  const to = plan.spec.secondary.location;
  const mappings = await ctx.gateways.siteRecovery.listContainerMappings(vault);
  const mapping = mappings.find((m) => m.sourceLocation === from && m.targetLocation === to);
  if (!mapping)
    return {
      reason: "NoReplicationMapping",
      message: `vault ${vault.vault} has no protection container mapping from ${from} to ${to}, so replication cannot be enabled: enable replication for one VM in the Azure portal (it creates the mapping and policy), or set spec.siteRecovery.enableReplication: false`,
    };
  const recoveryResourceGroupId =
    items.find((i) => i.a2a?.recoveryResourceGroupId)?.a2a?.recoveryResourceGroupId ??
    `/subscriptions/${plan.spec.subscriptionId}/resourceGroups/${plan.spec.secondary.resourceGroup}`;
  const source = containerPath(mapping.sourceContainerId);
  const started: string[] = [];
  if (!(await mayAct(ctx))) return undefined;
  const refused: string[] = [];
  for (const host of hosts
    .filter((h) => h.info.vmResourceId && h.vm?.location === from)
    .slice(0, ENABLE_PER_PASS)) {
    try {
      await ctx.gateways.siteRecovery.beginEnableReplication(vault, {
        vmId: host.info.vmResourceId!,
        ...source,
        policyId: mapping.policyId,
        recoveryContainerId: mapping.targetContainerId,
        recoveryResourceGroupId,
      });
      started.push(vmName(host));
    } catch (error) {
      // Refused for this VM (a permission, a quota): the rest of the posture still holds.
      const failure = classifyAzureError(error);
      if (failure.kind !== "needsPerson") throw error;
      refused.push(`${vmName(host)}: ${failure.message}; ${failure.fix}`);
    }
  }
  if (started.length > 0) {
    inFlight.push(`enabling replication for ${some(started)}`);
    ctx.events.record({
      type: "Normal",
      reason: "EnablingReplication",
      action: "EnableReplication",
      note: `enabling ASR replication for ${started.length} session-host VM(s) without it (spec.siteRecovery.enableReplication): ${some(started)}`,
    });
  }
  if (refused.length > 0)
    return {
      reason: "EnableReplicationRefused",
      message: `Azure refused to enable replication for ${refused.length} VM(s): ${refused.slice(0, 3).join("; ")}`,
    };
  return undefined;
}

/** Fabric and container names of a protection container's id. */
function containerPath(id: string): { fabric: string; container: string } {
  const after = (segment: string) => {
    const parts = id.split("/");
    return parts[parts.findIndex((p) => p.toLowerCase() === segment.toLowerCase()) + 1] ?? "";
  };
  return { fabric: after("replicationFabrics"), container: after("replicationProtectionContainers") };
}
