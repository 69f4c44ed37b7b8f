// Microsoft.RecoveryServices site recovery at the api-version that
// @azure/arm-recoveryservices-siterecovery 5.1 sends (2023-06-01): vaults, fabrics,
// protection containers, replication policies, container mappings, A2A protected items
// (enable protection, failover, commit, reprotect, test failover and its cleanup), recovery
// points, recovery plans and jobs. Every action answers 202 as the service does:
// Azure-AsyncOperation names the vault's replicationOperationStatus, Location the acted-on
// resource's operationresults, both with the job's name.
import { ArmError, type Handler, notFound, origin, type SimRequest, type SimResponse } from "../http.ts";
import { type ProviderRoute, page, type ResourceProvider, rgPath, type SimContext } from "../provider.ts";
import {
  cleanupInput,
  commitInput,
  enableInput,
  failoverInput,
  reprotectInput,
  type Scope,
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

/** The actions of an item and of a recovery plan, with how each reads its body. */
const actions: [string, ItemAction, (req: SimRequest, item: ProtectedItem, scope: Scope) => ActionInput][] = [
  ["unplannedFailover", "UnplannedFailover", failoverInput],
  ["testFailover", "TestFailover", testFailoverInput],
  ["testFailoverCleanup", "TestFailoverCleanup", cleanupInput],
  ["failoverCommit", "Commit", commitInput],
  ["reProtect", "ReverseReplicate", reprotectInput],
];

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
  routes: (ctx) => {
    const { one, list } = vaultReads(ctx);
    return [
      one(vaultPath, op("read"), (v) => v, renderVault),
      list(
        `${vaultPath}/replicationFabrics`,
        op("replicationFabrics/read"),
        (v) => [v.primary, v.recovery],
        renderFabric,
      ),
      one(fabricPath, op("replicationFabrics/read"), fabricOf, renderFabric),
      list(
        `${fabricPath}/replicationProtectionContainers`,
        containerOp("read"),
        (v, req) => [fabricOf(v, req).container],
        renderContainer,
      ),
      list(
        `${vaultPath}/replicationProtectionContainers`,
        op("replicationProtectionContainers/read"),
        (v) => [v.primary.container, v.recovery.container],
        renderContainer,
      ),
      one(containerPath, containerOp("read"), containerOf, renderContainer),
      list(
        `${vaultPath}/replicationPolicies`,
        op("replicationPolicies/read"),
        (v) => [...v.policies.values()],
        (p) => renderPolicy(p, ctx.siteRecovery.durations.recoveryPointInterval),
      ),
      one(
        `${vaultPath}/replicationPolicies/{policyName}`,
        op("replicationPolicies/read"),
        (v, req) => {
          const policy = v.policies.get(req.params.policyName!.toLowerCase());
          if (!policy) throw notFound(`${v.name}/replicationPolicies/${req.params.policyName}`);
          return policy;
        },
        (p) => renderPolicy(p, ctx.siteRecovery.durations.recoveryPointInterval),
      ),
      list(`${vaultPath}/${mappings}`, op(`${mappings}/read`), (v) => v.mappings, renderMapping),
      list(
        `${containerPath}/${mappings}`,
        containerOp(`${mappings}/read`),
        (v, req) => v.mappings.filter((m) => m.source === containerOf(v, req)),
        renderMapping,
      ),
      one(
        `${containerPath}/${mappings}/{mappingName}`,
        containerOp(`${mappings}/read`),
        (v, req) => {
          const container = containerOf(v, req);
          const name = req.params.mappingName!.toLowerCase();
          const mapping = v.mappings.find((m) => m.source === container && m.name.toLowerCase() === name);
          if (!mapping) throw notFound(`${container.name}/${mappings}/${req.params.mappingName}`);
          return mapping;
        },
        renderMapping,
      ),
      list(
        `${containerPath}/replicationProtectedItems`,
        itemOp("read"),
        (v, req) => [...v.items.values()].filter((i) => i.container === containerOf(v, req)),
        (i) => item(ctx, i),
      ),
      list(
        `${vaultPath}/replicationProtectedItems`,
        op("replicationProtectedItems/read"),
        (v) => [...v.items.values()],
        (i) => item(ctx, i),
      ),
      one(
        itemPath,
        itemOp("read"),
        (_v, req) => itemOf(ctx, req),
        (i) => item(ctx, i),
      ),
      {
        method: "PUT",
        path: itemPath,
        operation: itemOp("write"),
        handler: (req) => enableProtection(ctx, req),
      },
      operationResults(ctx, itemPath, itemOp("operationresults/read")),
      list(
        `${itemPath}/recoveryPoints`,
        itemOp("recoveryPoints/read"),
        (_v, req) => ctx.siteRecovery.recoveryPoints(itemOf(ctx, req)),
        (p, _v, req) => renderRecoveryPoint(itemOf(ctx, req), p),
      ),
      ...actions.map(([name, action, input]) =>
        post(`${itemPath}/${name}`, itemOp(`${name}/action`), (req) => {
          const protectedItem = itemOf(ctx, req);
          const given = input(req, protectedItem, "item");
          const response = accepted(ctx, req, ctx.siteRecovery.act(protectedItem, action, given));
          // What a reprotect was told to go through, for the audit log.
          if (given.reprotect) req.auditDetails = { ...req.auditDetails, reprotect: given.reprotect };
          return response;
        }),
      ),
      ...["plannedFailover", "failoverCancel"].map((name) =>
        post(`${itemPath}/${name}`, itemOp(`${name}/action`), (req) => {
          itemOf(ctx, req);
          throw a2aOnly(name);
        }),
      ),
      list(
        `${vaultPath}/replicationRecoveryPlans`,
        op("replicationRecoveryPlans/read"),
        (v) => [...v.plans.values()],
        renderPlan,
      ),
      one(planPath, op("replicationRecoveryPlans/read"), (_v, req) => planOf(ctx, req), renderPlan),
      operationResults(ctx, planPath, op("replicationRecoveryPlans/operationresults/read")),
      ...actions.map(([name, action, input]) =>
        post(`${planPath}/${name}`, op(`replicationRecoveryPlans/${name}/action`), (req) => {
          const plan = planOf(ctx, req);
          return accepted(
            ctx,
            req,
            ctx.siteRecovery.planAction(plan, action, input(req, plan.groups[0]![0]!, "plan")),
          );
        }),
      ),
      post(`${planPath}/plannedFailover`, op("replicationRecoveryPlans/plannedFailover/action"), (req) => {
        planOf(ctx, req);
        throw a2aOnly("plannedFailover of a recovery plan of A2A items");
      }),
      list(
        `${vaultPath}/replicationJobs`,
        op("replicationJobs/read"),
        (v) => [...v.jobs.values()],
        renderJob,
      ),
      one(
        `${vaultPath}/replicationJobs/{jobName}`,
        op("replicationJobs/read"),
        (v, req) => jobOf(v, req.params.jobName!),
        renderJob,
      ),
      one(
        `${vaultPath}/replicationOperationStatus/{operationId}`,
        op("replicationOperationStatus/read"),
        (v, req) => ctx.operations.get(jobOf(v, req.params.operationId!).name)!,
        renderOperationStatus,
      ),
    ];
  },
};

// ---- routes ----

/** Reads of what a vault holds: one thing, or a paged list. */
function vaultReads(ctx: SimContext) {
  const read = (
    path: string,
    operation: string,
    body: (vault: Vault, req: SimRequest) => SimResponse,
  ): ProviderRoute => ({
    method: "GET",
    path,
    operation,
    handler: (req) => body(vaultOf(ctx, req), req),
  });
  return {
    one: <T>(
      path: string,
      operation: string,
      find: (vault: Vault, req: SimRequest) => T,
      render: (found: T, vault: Vault) => unknown,
    ) => read(path, operation, (vault, req) => ({ status: 200, body: render(find(vault, req), vault) })),
    list: <T>(
      path: string,
      operation: string,
      items: (vault: Vault, req: SimRequest) => readonly T[],
      render: (item: T, vault: Vault, req: SimRequest) => unknown,
    ) =>
      read(path, operation, (vault, req) => page(req, ctx, items(vault, req), (i) => render(i, vault, req))),
  };
}

const item = (ctx: SimContext, i: ProtectedItem) => renderItem(ctx.siteRecovery, i, ctx.timeline.now());

const post = (path: string, operation: string, handler: Handler): ProviderRoute => ({
  method: "POST",
  path,
  operation,
  handler,
});

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
