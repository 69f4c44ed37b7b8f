// Microsoft.RecoveryServices site recovery at the api-version that
// @azure/arm-recoveryservices-siterecovery 5.1 sends (2023-06-01): vaults, fabrics,
// protection containers, replication policies, container mappings, A2A protected items
// (enable protection, failover, commit, reprotect, test failover and its cleanup), recovery
// points, recovery plans and jobs. Every action answers 202 as the service does:
// Azure-AsyncOperation names the vault's replicationOperationStatus, Location the acted-on
// resource's operationresults, both with the job's name.
import { ArmError, jsonBody, notFound, origin, type SimRequest, type SimResponse } from "../http.ts";
import { type ProviderRoute, page, type ResourceProvider, rgPath, type SimContext } from "../provider.ts";
import {
  defaults,
  enableInput,
  failoverInput,
  reprotectInput,
  testFailoverInput,
} from "../site-recovery/inputs.ts";
import type { Job } from "../site-recovery/jobs.ts";
import type {
  ActionInput,
  Container,
  ItemAction,
  ProtectedItem,
  RecoveryPlan,
  Vault,
} from "../site-recovery/model.ts";
import {
  renderContainer,
  renderFabric,
  renderItem,
  renderJob,
  renderMapping,
  renderOperationStatus,
  renderPlan,
  renderPolicy,
  renderRecoveryPoint,
  renderVault,
} from "../site-recovery/render.ts";

const namespace = "Microsoft.RecoveryServices";
const vaultPath = `${rgPath}/providers/Microsoft.RecoveryServices/vaults/{resourceName}`;
const fabricPath = `${vaultPath}/replicationFabrics/{fabricName}`;
const containerPath = `${fabricPath}/replicationProtectionContainers/{protectionContainerName}`;
const itemPath = `${containerPath}/replicationProtectedItems/{replicatedProtectedItemName}`;
const planPath = `${vaultPath}/replicationRecoveryPlans/{recoveryPlanName}`;
const mappings = "replicationProtectionContainerMappings";
const op = (what: string) => `Microsoft.RecoveryServices/vaults/${what}`;
const containerOp = (what: string) => op(`replicationFabrics/replicationProtectionContainers/${what}`);
const itemOp = (what: string) => containerOp(`replicationProtectedItems/${what}`);

/** The service asks clients to poll again after 30 seconds. */
const retryAfterSeconds = 30;

const a2aOnly = (what: string) =>
  new ArmError(
    400,
    "OperationNotSupportedForA2A",
    `${what} is not supported for Azure-to-Azure (A2A) replication. For a planned failover use unplannedFailover with sourceSiteOperations Required (the source VM is shut down first).`,
  );

export const siteRecoveryProvider: ResourceProvider = {
  namespace,
  apiVersions: ["2023-02-01", "2023-04-01", "2023-06-01", "2023-08-01", "2024-01-01", "2024-04-01"],
  routes: (ctx) => [
    get(vaultPath, op("read"), (req) => renderVault(vaultOf(ctx, req))),
    list(
      ctx,
      `${vaultPath}/replicationFabrics`,
      op("replicationFabrics/read"),
      (req) => [vaultOf(ctx, req).primary, vaultOf(ctx, req).recovery],
      (f, req) => renderFabric(f, vaultOf(ctx, req)),
    ),
    get(fabricPath, op("replicationFabrics/read"), (req) => {
      const vault = vaultOf(ctx, req);
      return renderFabric(fabricOf(vault, req), vault);
    }),
    list(
      ctx,
      `${fabricPath}/replicationProtectionContainers`,
      containerOp("read"),
      (req) => [fabricOf(vaultOf(ctx, req), req).container],
      (c, req) => renderContainer(c, vaultOf(ctx, req)),
    ),
    list(
      ctx,
      `${vaultPath}/replicationProtectionContainers`,
      op("replicationProtectionContainers/read"),
      (req) => [vaultOf(ctx, req).primary.container, vaultOf(ctx, req).recovery.container],
      (c, req) => renderContainer(c, vaultOf(ctx, req)),
    ),
    get(containerPath, containerOp("read"), (req) => {
      const vault = vaultOf(ctx, req);
      return renderContainer(containerOf(vault, req), vault);
    }),
    list(
      ctx,
      `${vaultPath}/replicationPolicies`,
      op("replicationPolicies/read"),
      (req) => [...vaultOf(ctx, req).policies.values()],
      (p) => renderPolicy(p, ctx.siteRecovery.durations.recoveryPointInterval),
    ),
    get(`${vaultPath}/replicationPolicies/{policyName}`, op("replicationPolicies/read"), (req) => {
      const vault = vaultOf(ctx, req);
      const policy = vault.policies.get(req.params.policyName!.toLowerCase());
      if (!policy) throw notFound(`${vault.name}/replicationPolicies/${req.params.policyName}`);
      return renderPolicy(policy, ctx.siteRecovery.durations.recoveryPointInterval);
    }),
    list(
      ctx,
      `${vaultPath}/${mappings}`,
      op(`${mappings}/read`),
      (req) => vaultOf(ctx, req).mappings,
      renderMapping,
    ),
    list(
      ctx,
      `${containerPath}/${mappings}`,
      containerOp(`${mappings}/read`),
      (req) => {
        const vault = vaultOf(ctx, req);
        const container = containerOf(vault, req);
        return vault.mappings.filter((m) => m.source === container);
      },
      renderMapping,
    ),
    get(`${containerPath}/${mappings}/{mappingName}`, containerOp(`${mappings}/read`), (req) => {
      const vault = vaultOf(ctx, req);
      const container = containerOf(vault, req);
      const name = req.params.mappingName!.toLowerCase();
      const mapping = vault.mappings.find((m) => m.source === container && m.name.toLowerCase() === name);
      if (!mapping) throw notFound(`${container.name}/${mappings}/${req.params.mappingName}`);
      return renderMapping(mapping);
    }),
    list(
      ctx,
      `${containerPath}/replicationProtectedItems`,
      itemOp("read"),
      (req) => {
        const vault = vaultOf(ctx, req);
        const container = containerOf(vault, req);
        return [...vault.items.values()].filter((i) => i.container === container);
      },
      (i) => item(ctx, i),
    ),
    list(
      ctx,
      `${vaultPath}/replicationProtectedItems`,
      op("replicationProtectedItems/read"),
      (req) => [...vaultOf(ctx, req).items.values()],
      (i) => item(ctx, i),
    ),
    get(itemPath, itemOp("read"), (req) => item(ctx, itemOf(ctx, req))),
    {
      method: "PUT",
      path: itemPath,
      operation: itemOp("write"),
      handler: (req) => enableProtection(ctx, req),
    },
    list(
      ctx,
      `${itemPath}/recoveryPoints`,
      itemOp("recoveryPoints/read"),
      (req) => ctx.siteRecovery.recoveryPoints(itemOf(ctx, req)),
      (p, req) => renderRecoveryPoint(itemOf(ctx, req), p),
    ),
    itemAction(ctx, "unplannedFailover", "UnplannedFailover", (req, i) => failoverInput(req, i, "item")),
    itemAction(ctx, "testFailover", "TestFailover", (req, i) => testFailoverInput(req, i, "item")),
    itemAction(ctx, "testFailoverCleanup", "TestFailoverCleanup", (req, i) => {
      jsonBody(req);
      return defaults(i);
    }),
    itemAction(ctx, "failoverCommit", "Commit", (_req, i) => defaults(i)),
    itemAction(ctx, "reProtect", "ReverseReplicate", reprotectInput),
    refusedForA2A(itemPath, itemOp, "plannedFailover", (req) => itemOf(ctx, req), "plannedFailover"),
    refusedForA2A(itemPath, itemOp, "failoverCancel", (req) => itemOf(ctx, req), "failoverCancel"),
    operationResults(ctx, itemPath, itemOp("operationresults/read")),
    list(
      ctx,
      `${vaultPath}/replicationRecoveryPlans`,
      op("replicationRecoveryPlans/read"),
      (req) => [...vaultOf(ctx, req).plans.values()],
      renderPlan,
    ),
    get(planPath, op("replicationRecoveryPlans/read"), (req) => renderPlan(planOf(ctx, req))),
    planAction(ctx, "unplannedFailover", "UnplannedFailover", (req, first) =>
      failoverInput(req, first, "plan"),
    ),
    planAction(ctx, "testFailover", "TestFailover", (req, first) => testFailoverInput(req, first, "plan")),
    planAction(ctx, "testFailoverCleanup", "TestFailoverCleanup", (req, first) => {
      jsonBody(req);
      return defaults(first);
    }),
    planAction(ctx, "failoverCommit", "Commit", (_req, first) => defaults(first)),
    // A plan's reprotect takes no body: each item goes back through the reverse mapping.
    planAction(ctx, "reProtect", "ReverseReplicate", (_req, first) => defaults(first)),
    refusedForA2A(
      planPath,
      (what) => op(`replicationRecoveryPlans/${what}`),
      "plannedFailover",
      (req) => planOf(ctx, req),
      "plannedFailover of a recovery plan of A2A items",
    ),
    operationResults(ctx, planPath, op("replicationRecoveryPlans/operationresults/read")),
    list(
      ctx,
      `${vaultPath}/replicationJobs`,
      op("replicationJobs/read"),
      (req) => [...vaultOf(ctx, req).jobs.values()],
      renderJob,
    ),
    get(`${vaultPath}/replicationJobs/{jobName}`, op("replicationJobs/read"), (req) =>
      renderJob(jobOf(vaultOf(ctx, req), req.params.jobName!)),
    ),
    get(
      `${vaultPath}/replicationOperationStatus/{operationId}`,
      op("replicationOperationStatus/read"),
      (req) => {
        const job = jobOf(vaultOf(ctx, req), req.params.operationId!);
        return renderOperationStatus(ctx.operations.get(job.name)!);
      },
    ),
  ],
};

// ---- routes ----

function get(path: string, operation: string, render: (req: SimRequest) => unknown): ProviderRoute {
  return { method: "GET", path, operation, handler: (req) => ({ status: 200, body: render(req) }) };
}

function list<T>(
  ctx: SimContext,
  path: string,
  operation: string,
  items: (req: SimRequest) => readonly T[],
  render: (item: T, req: SimRequest) => unknown,
): ProviderRoute {
  return {
    method: "GET",
    path,
    operation,
    handler: (req) => page(req, ctx, items(req), (i) => render(i, req)),
  };
}

const item = (ctx: SimContext, i: ProtectedItem) => renderItem(ctx.siteRecovery, i, ctx.timeline.now());

function itemAction(
  ctx: SimContext,
  name: string,
  action: ItemAction,
  input: (req: SimRequest, item: ProtectedItem) => ActionInput,
): ProviderRoute {
  return {
    method: "POST",
    path: `${itemPath}/${name}`,
    operation: itemOp(`${name}/action`),
    handler: (req) => {
      const protectedItem = itemOf(ctx, req);
      const given = input(req, protectedItem);
      const response = accepted(ctx, req, ctx.siteRecovery.act(protectedItem, action, given));
      // What a reprotect was told to go through, for the audit log.
      if (given.reprotect) req.auditDetails = { ...req.auditDetails, reprotect: given.reprotect };
      return response;
    },
  };
}

function planAction(
  ctx: SimContext,
  name: string,
  action: ItemAction,
  input: (req: SimRequest, firstItem: ProtectedItem) => ActionInput,
): ProviderRoute {
  return {
    method: "POST",
    path: `${planPath}/${name}`,
    operation: op(`replicationRecoveryPlans/${name}/action`),
    handler: (req) => {
      const plan = planOf(ctx, req);
      return accepted(ctx, req, ctx.siteRecovery.planAction(plan, action, input(req, plan.groups[0]![0]!)));
    },
  };
}

function refusedForA2A(
  parent: string,
  operation: (what: string) => string,
  name: string,
  lookup: (req: SimRequest) => unknown,
  what: string,
): ProviderRoute {
  return {
    method: "POST",
    path: `${parent}/${name}`,
    operation: operation(`${name}/action`),
    handler: (req) => {
      lookup(req);
      throw a2aOnly(what);
    },
  };
}

/** `{resource}/operationresults/{job}`: 202 while the job runs, then 200 with the resource as the job left it. */
function operationResults(ctx: SimContext, parent: string, operation: string): ProviderRoute {
  return {
    method: "GET",
    path: `${parent}/operationresults/{operationId}`,
    operation,
    handler: (req) => {
      const job = jobOf(vaultOf(ctx, req), req.params.operationId!);
      return ctx.operations.poll(job.name, true);
    },
  };
}

/**
 * The 202 of an action, as a live trace shows it. Retry-After is in real seconds: the
 * service's 30 simulated seconds at the emulator's time scale, whole seconds as HTTP has them
 * (0 below half a second, which clients read as "use your own interval").
 */
function accepted(ctx: SimContext, req: SimRequest, job: Job): SimResponse {
  req.auditDetails = { job: job.name, scenario: job.scenarioName };
  const apiVersion = `api-version=${req.url.searchParams.get("api-version")}`;
  const vault = job.id.slice(0, job.id.lastIndexOf("/replicationJobs/"));
  // The resource acted on: the path without the action's segment (a PUT has none).
  const resource = req.method === "PUT" ? req.url.pathname : req.url.pathname.replace(/\/[^/]+$/, "");
  return {
    status: 202,
    headers: {
      "azure-asyncoperation": `${origin(req)}${vault}/replicationOperationStatus/${job.name}?${apiVersion}`,
      location: `${origin(req)}${resource}/operationresults/${job.name}?${apiVersion}`,
      "retry-after": String(Math.round(retryAfterSeconds * ctx.clock.timeScale)),
    },
  };
}

// ---- lookups ----

function vaultOf(ctx: SimContext, req: SimRequest): Vault {
  const vault = ctx.siteRecovery.vault(req.params.resourceGroupName!, req.params.resourceName!);
  if (!vault) throw notFound(`Microsoft.RecoveryServices/vaults/${req.params.resourceName}`);
  return vault;
}

function fabricOf(vault: Vault, req: SimRequest) {
  const name = req.params.fabricName!.toLowerCase();
  const fabric = [vault.primary, vault.recovery].find((f) => f.name.toLowerCase() === name);
  if (!fabric) throw notFound(`${vault.name}/replicationFabrics/${req.params.fabricName}`);
  return fabric;
}

function containerOf(vault: Vault, req: SimRequest): Container {
  const fabric = fabricOf(vault, req);
  if (fabric.container.name.toLowerCase() !== req.params.protectionContainerName!.toLowerCase())
    throw notFound(`${fabric.name}/replicationProtectionContainers/${req.params.protectionContainerName}`);
  return fabric.container;
}

function itemOf(ctx: SimContext, req: SimRequest): ProtectedItem {
  const vault = vaultOf(ctx, req);
  const container = containerOf(vault, req);
  const found = vault.items.get(req.params.replicatedProtectedItemName!.toLowerCase());
  if (!found || found.container !== container)
    throw notFound(`${container.name}/replicationProtectedItems/${req.params.replicatedProtectedItemName}`);
  return found;
}

function planOf(ctx: SimContext, req: SimRequest): RecoveryPlan {
  const plan = vaultOf(ctx, req).plans.get(req.params.recoveryPlanName!.toLowerCase());
  if (!plan)
    throw notFound(`${req.params.resourceName}/replicationRecoveryPlans/${req.params.recoveryPlanName}`);
  return plan;
}

function jobOf(vault: Vault, name: string): Job {
  const job = vault.jobs.get(name.toLowerCase());
  if (!job) throw notFound(`${op("replicationJobs")}/${name}`);
  return job;
}

// ---- enable protection ----

function enableProtection(ctx: SimContext, req: SimRequest): SimResponse {
  const vault = vaultOf(ctx, req);
  const container = containerOf(vault, req);
  // A PUT of an item that exists answers with it as it is; nothing starts again.
  const existing = vault.items.get(req.params.replicatedProtectedItemName!.toLowerCase());
  if (existing) return { status: 200, body: item(ctx, existing) };
  if (container !== vault.primary.container)
    throw new ArmError(
      400,
      "InvalidSourceRegion",
      `Protection is enabled in the primary region's container ${vault.primary.container.name}, not ${container.name}.`,
    );
  const { vmId, input } = enableInput(req);
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(
    vmId,
  );
  const vm = match ? ctx.world.virtualMachine(match[1]!, match[2]!) : undefined;
  if (!vm) throw notFound(`Microsoft.Compute/virtualMachines ${vmId}`);
  const job = ctx.siteRecovery.enableProtection(vault, req.params.replicatedProtectedItemName!, vm, input);
  const response = accepted(ctx, req, job);
  req.auditDetails = { job: job.name, vm: vm.id };
  return response;
}
