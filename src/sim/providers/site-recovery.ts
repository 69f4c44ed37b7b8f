// Microsoft.RecoveryServices site recovery at the api-version that
// @azure/arm-recoveryservices-siterecovery 5.1 sends (2023-06-01): vaults, fabrics,
// protection containers, A2A protected items (enable protection, failover, commit,
// reprotect, test failover and its cleanup), recovery points, recovery plans and jobs.
// Every action answers 202 with the job's operation (same name as the job), so that a
// caller can both poll it as an ARM long-running operation and read the job.
import {
  ArmError,
  badRequest,
  jsonBody,
  notFound,
  origin,
  type SimRequest,
  type SimResponse,
} from "../http.ts";
import {
  operationStatusRoutes,
  type ProviderRoute,
  page,
  type ResourceProvider,
  rgPath,
  type SimContext,
} from "../provider.ts";
import type { Job } from "../site-recovery/jobs.ts";
import type {
  FailoverInput,
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
  renderPlan,
  renderRecoveryPoint,
  renderVault,
} from "../site-recovery/render.ts";

const namespace = "Microsoft.RecoveryServices";
const vaultPath = `${rgPath}/providers/Microsoft.RecoveryServices/vaults/{resourceName}`;
const fabricPath = `${vaultPath}/replicationFabrics/{fabricName}`;
const containerPath = `${fabricPath}/replicationProtectionContainers/{protectionContainerName}`;
const itemPath = `${containerPath}/replicationProtectedItems/{replicatedProtectedItemName}`;
const planPath = `${vaultPath}/replicationRecoveryPlans/{recoveryPlanName}`;
const op = (what: string) => `Microsoft.RecoveryServices/vaults/${what}`;
const itemOp = (what: string) =>
  op(`replicationFabrics/replicationProtectionContainers/replicationProtectedItems/${what}`);

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
    {
      method: "GET",
      path: vaultPath,
      operation: op("read"),
      handler: (req) => ({ status: 200, body: renderVault(vaultOf(ctx, req)) }),
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationFabrics`,
      operation: op("replicationFabrics/read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        return page(req, ctx, [vault.primary, vault.recovery], (f) => renderFabric(f, vault));
      },
    },
    {
      method: "GET",
      path: fabricPath,
      operation: op("replicationFabrics/read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        return { status: 200, body: renderFabric(fabricOf(vault, req), vault) };
      },
    },
    {
      method: "GET",
      path: `${fabricPath}/replicationProtectionContainers`,
      operation: op("replicationFabrics/replicationProtectionContainers/read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        return page(req, ctx, [fabricOf(vault, req).container], (c) => renderContainer(c, vault));
      },
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationProtectionContainers`,
      operation: op("replicationFabrics/replicationProtectionContainers/read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        return page(req, ctx, [vault.primary.container, vault.recovery.container], (c) =>
          renderContainer(c, vault),
        );
      },
    },
    {
      method: "GET",
      path: containerPath,
      operation: op("replicationFabrics/replicationProtectionContainers/read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        return { status: 200, body: renderContainer(containerOf(vault, req), vault) };
      },
    },
    {
      method: "GET",
      path: `${containerPath}/replicationProtectedItems`,
      operation: itemOp("read"),
      handler: (req) => {
        const vault = vaultOf(ctx, req);
        const container = containerOf(vault, req);
        const items = [...vault.items.values()].filter((i) => i.container === container);
        return page(req, ctx, items, (i) => renderItem(ctx.siteRecovery, i, ctx.timeline.now()));
      },
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationProtectedItems`,
      operation: itemOp("read"),
      handler: (req) => {
        const items = [...vaultOf(ctx, req).items.values()];
        return page(req, ctx, items, (i) => renderItem(ctx.siteRecovery, i, ctx.timeline.now()));
      },
    },
    {
      method: "GET",
      path: itemPath,
      operation: itemOp("read"),
      handler: (req) => ({
        status: 200,
        body: renderItem(ctx.siteRecovery, itemOf(ctx, req), ctx.timeline.now()),
      }),
    },
    {
      method: "PUT",
      path: itemPath,
      operation: itemOp("write"),
      handler: (req) => enableProtection(ctx, req),
    },
    {
      method: "GET",
      path: `${itemPath}/recoveryPoints`,
      operation: itemOp("recoveryPoints/read"),
      handler: (req) => {
        const item = itemOf(ctx, req);
        return page(req, ctx, ctx.siteRecovery.recoveryPoints(item), (t) => renderRecoveryPoint(item, t));
      },
    },
    itemAction(ctx, "unplannedFailover", "UnplannedFailover", (req, item) =>
      failoverInput(req, item, "item"),
    ),
    itemAction(ctx, "testFailover", "TestFailover", (req, item) => testFailoverInput(req, item, "item")),
    itemAction(ctx, "testFailoverCleanup", "TestFailoverCleanup", (req, item) => {
      jsonBody(req);
      return defaults(item);
    }),
    itemAction(ctx, "failoverCommit", "Commit", (_req, item) => defaults(item)),
    itemAction(ctx, "reProtect", "ReverseReplicate", (req, item) => reprotectInput(req, item)),
    {
      method: "POST",
      path: `${itemPath}/plannedFailover`,
      operation: itemOp("plannedFailover/action"),
      handler: (req) => {
        itemOf(ctx, req);
        throw a2aOnly("plannedFailover");
      },
    },
    {
      method: "POST",
      path: `${itemPath}/failoverCancel`,
      operation: itemOp("failoverCancel/action"),
      handler: (req) => {
        itemOf(ctx, req);
        throw a2aOnly("failoverCancel");
      },
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationRecoveryPlans`,
      operation: op("replicationRecoveryPlans/read"),
      handler: (req) => page(req, ctx, [...vaultOf(ctx, req).plans.values()], renderPlan),
    },
    {
      method: "GET",
      path: planPath,
      operation: op("replicationRecoveryPlans/read"),
      handler: (req) => ({ status: 200, body: renderPlan(planOf(ctx, req)) }),
    },
    planAction(ctx, "unplannedFailover", "UnplannedFailover", (req, plan) =>
      failoverInput(req, plan.groups[0]![0]!, "plan"),
    ),
    planAction(ctx, "testFailover", "TestFailover", (req, plan) =>
      testFailoverInput(req, plan.groups[0]![0]!, "plan"),
    ),
    planAction(ctx, "testFailoverCleanup", "TestFailoverCleanup", (req, plan) => {
      jsonBody(req);
      return defaults(plan.groups[0]![0]!);
    }),
    planAction(ctx, "failoverCommit", "Commit", (_req, plan) => defaults(plan.groups[0]![0]!)),
    planAction(ctx, "reProtect", "ReverseReplicate", (_req, plan) => defaults(plan.groups[0]![0]!)),
    {
      method: "POST",
      path: `${planPath}/plannedFailover`,
      operation: op("replicationRecoveryPlans/plannedFailover/action"),
      handler: (req) => {
        planOf(ctx, req);
        throw a2aOnly("plannedFailover of a recovery plan of A2A items");
      },
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationJobs`,
      operation: op("replicationJobs/read"),
      handler: (req) => page(req, ctx, [...vaultOf(ctx, req).jobs.values()], renderJob),
    },
    {
      method: "GET",
      path: `${vaultPath}/replicationJobs/{jobName}`,
      operation: op("replicationJobs/read"),
      handler: (req) => {
        const job = vaultOf(ctx, req).jobs.get(req.params.jobName!.toLowerCase());
        if (!job) throw notFound(`${op("replicationJobs")}/${req.params.jobName}`);
        return { status: 200, body: renderJob(job) };
      },
    },
    ...operationStatusRoutes(ctx, namespace),
  ],
};

function itemAction(
  ctx: SimContext,
  name: string,
  action: ItemAction,
  input: (req: SimRequest, item: ProtectedItem) => FailoverInput,
): ProviderRoute {
  return {
    method: "POST",
    path: `${itemPath}/${name}`,
    operation: itemOp(`${name}/action`),
    handler: (req) => {
      const item = itemOf(ctx, req);
      const job = ctx.siteRecovery.act(item, action, input(req, item));
      req.auditDetails = { job: job.name, scenario: job.scenarioName };
      return accepted(ctx, req, job);
    },
  };
}

function planAction(
  ctx: SimContext,
  name: string,
  action: ItemAction,
  input: (req: SimRequest, plan: RecoveryPlan) => FailoverInput,
): ProviderRoute {
  return {
    method: "POST",
    path: `${planPath}/${name}`,
    operation: op(`replicationRecoveryPlans/${name}/action`),
    handler: (req) => {
      const plan = planOf(ctx, req);
      const job = ctx.siteRecovery.planAction(plan, action, input(req, plan));
      req.auditDetails = { job: job.name, scenario: job.scenarioName };
      return accepted(ctx, req, job);
    },
  };
}

function accepted(ctx: SimContext, req: SimRequest, job: Job): SimResponse {
  const operation = ctx.operations.get(job.name)!;
  return ctx.operations.accepted(operation, origin(req), req.url.searchParams.get("api-version")!);
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

function containerOf(vault: Vault, req: SimRequest) {
  const fabric = fabricOf(vault, req);
  if (fabric.container.name.toLowerCase() !== req.params.protectionContainerName!.toLowerCase())
    throw notFound(`${fabric.name}/replicationProtectionContainers/${req.params.protectionContainerName}`);
  return fabric.container;
}

function itemOf(ctx: SimContext, req: SimRequest): ProtectedItem {
  const vault = vaultOf(ctx, req);
  const container = containerOf(vault, req);
  const item = vault.items.get(req.params.replicatedProtectedItemName!.toLowerCase());
  if (!item || item.container !== container)
    throw notFound(`${container.name}/replicationProtectedItems/${req.params.replicatedProtectedItemName}`);
  return item;
}

function planOf(ctx: SimContext, req: SimRequest): RecoveryPlan {
  const plan = vaultOf(ctx, req).plans.get(req.params.recoveryPlanName!.toLowerCase());
  if (!plan)
    throw notFound(`${req.params.resourceName}/replicationRecoveryPlans/${req.params.recoveryPlanName}`);
  return plan;
}

// ---- request bodies ----

type Scope = "item" | "plan";

function properties(req: SimRequest): Record<string, unknown> {
  const body = jsonBody(req);
  const props = body.properties;
  if (typeof props !== "object" || props === null || Array.isArray(props))
    throw badRequest("The request content was invalid: 'properties' must be an object.");
  return props as Record<string, unknown>;
}

function oneOf<T extends string>(
  props: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
  fallback: T | undefined,
): T {
  const value = props[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T))
    throw badRequest(
      `The request content was invalid: 'properties.${field}' must be one of ${allowed.join(", ")}.`,
    );
  return value as T;
}

const directions = ["PrimaryToRecovery", "RecoveryToPrimary"] as const;
const defaultDirection = (item: ProtectedItem) =>
  item.activeLocation === "Primary" ? ("PrimaryToRecovery" as const) : ("RecoveryToPrimary" as const);

function defaults(item: ProtectedItem): FailoverInput {
  return { direction: defaultDirection(item), shutdownSource: false, recoveryPoint: "Latest" };
}

/** The A2A member of providerSpecificDetails: an object for an item, an array for a plan. */
function a2aDetails(props: Record<string, unknown>, scope: Scope): Record<string, unknown> | undefined {
  const details = props.providerSpecificDetails;
  if (details === undefined) return undefined;
  const list = scope === "plan" ? details : [details];
  if (!Array.isArray(list) || list.some((d) => typeof d !== "object" || d === null))
    throw badRequest(
      `The request content was invalid: 'properties.providerSpecificDetails' must be ${scope === "plan" ? "an array of objects" : "an object"}.`,
    );
  const a2a = (list as Record<string, unknown>[]).find((d) => d.instanceType === "A2A");
  if (!a2a)
    throw badRequest(
      "The request content was invalid: 'properties.providerSpecificDetails' needs instanceType A2A for Azure-to-Azure replication.",
    );
  return a2a;
}

function failoverInput(req: SimRequest, item: ProtectedItem, scope: Scope): FailoverInput {
  const props = properties(req);
  const fallback = scope === "item" ? defaultDirection(item) : undefined;
  const direction = oneOf(props, "failoverDirection", directions, fallback);
  const source = oneOf(
    props,
    "sourceSiteOperations",
    ["Required", "NotRequired"] as const,
    scope === "item" ? "NotRequired" : undefined,
  );
  const a2a = a2aDetails(props, scope);
  let recoveryPoint = "Latest";
  if (scope === "plan" && a2a) {
    recoveryPoint = oneOf(
      a2a,
      "recoveryPointType",
      ["Latest", "LatestApplicationConsistent", "LatestCrashConsistent", "LatestProcessed"] as const,
      "Latest",
    );
  } else if (typeof a2a?.recoveryPointId === "string") {
    recoveryPoint = a2a.recoveryPointId;
  }
  return { direction, shutdownSource: source === "Required", recoveryPoint };
}

function testFailoverInput(req: SimRequest, item: ProtectedItem, scope: Scope): FailoverInput {
  const props = properties(req);
  const direction = oneOf(
    props,
    "failoverDirection",
    directions,
    scope === "item" ? defaultDirection(item) : undefined,
  );
  oneOf(
    props,
    "networkType",
    ["VmNetworkAsInput", "NoNetwork", "ExistingNetwork"] as const,
    scope === "item" ? "VmNetworkAsInput" : undefined,
  );
  const networkId = props.networkId;
  if (typeof networkId !== "string" || !networkId.startsWith("/subscriptions/"))
    throw badRequest(
      "The request content was invalid: 'properties.networkId' must be the resource id of the virtual network the test VMs join.",
    );
  a2aDetails(props, scope);
  return { direction, shutdownSource: false, networkId, recoveryPoint: "Latest" };
}

function reprotectInput(req: SimRequest, item: ProtectedItem): FailoverInput {
  const props = properties(req);
  const direction = oneOf(props, "failoverDirection", directions, defaultDirection(item));
  a2aDetails(props, "item");
  return { direction, shutdownSource: false, recoveryPoint: "Latest" };
}

function enableProtection(ctx: SimContext, req: SimRequest): SimResponse {
  const vault = vaultOf(ctx, req);
  const container = containerOf(vault, req);
  if (container !== vault.primary.container)
    throw badRequest(
      `Protection is enabled in the primary region's container ${vault.primary.container.name}, not ${container.name}.`,
    );
  // A PUT of an item that exists answers with it as it is; nothing starts again.
  const existing = vault.items.get(req.params.replicatedProtectedItemName!.toLowerCase());
  if (existing) return { status: 200, body: renderItem(ctx.siteRecovery, existing, ctx.timeline.now()) };
  const props = properties(req);
  if (typeof props.policyId !== "string" || props.policyId === "")
    throw badRequest(
      "The request content was invalid: 'properties.policyId' must be the replication policy's id.",
    );
  const a2a = a2aDetails(props, "item");
  const vmId = a2a?.fabricObjectId;
  if (typeof vmId !== "string")
    throw badRequest(
      "The request content was invalid: 'properties.providerSpecificDetails.fabricObjectId' must be the id of the VM to protect.",
    );
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(
    vmId,
  );
  const vm = match ? ctx.world.virtualMachine(match[1]!, match[2]!) : undefined;
  if (!vm) throw notFound(`Microsoft.Compute/virtualMachines ${vmId}`);
  const job = ctx.siteRecovery.enableProtection(
    vault,
    req.params.replicatedProtectedItemName!,
    vm,
    props.policyId,
  );
  req.auditDetails = { job: job.name, vm: vm.id };
  return accepted(ctx, req, job);
}
