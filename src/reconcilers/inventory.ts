// What a plan's session hosts are and where they run, read with list calls only: the session
// hosts of each host pool (one paged list per pool) and the power state of their VMs (one paged
// list per resource group). Shared by the plan's posture and the failover runner.
import type { AvdDisasterRecoveryPlan, Region } from "../api/index.ts";
import { classifyAzureError } from "../azure/classify.ts";
import { AzureError } from "../azure/errors.ts";
import type {
  ComputeGateway,
  DesktopVirtualizationGateway,
  SessionHostInfo,
  VmPowerInfo,
} from "../azure/gateways.ts";

export interface PoolRef {
  resourceGroup: string;
  name: string;
  /** The spec field that names it, for messages. */
  field: string;
  /** The region the pool serves; undefined for a pool whose hosts are in both (SiteRecovery, SharedHostPool). */
  region?: Region;
}

export interface Host {
  pool: PoolRef;
  info: SessionHostInfo;
  /** The session host's VM as Compute lists it, if it was found. */
  vm?: VmPowerInfo;
  /** Where the host runs: its pool's region, else its VM's. */
  region?: Region;
}

export interface Inventory {
  pools: PoolRef[];
  hosts: Host[];
  /** Resource groups whose VMs could not be listed (their region is down): why, per group. */
  unreachable: Map<string, string>;
}

export const otherRegion = (region: Region): Region => (region === "Primary" ? "Secondary" : "Primary");

/** The region users work in now: what the last failover left, else the primary. */
export const activeRegionOf = (plan: AvdDisasterRecoveryPlan): Region =>
  plan.status?.activeRegion ?? "Primary";

/** The spec of a region. */
export const regionSpec = (plan: AvdDisasterRecoveryPlan, region: Region) =>
  region === "Primary" ? plan.spec.primary : plan.spec.secondary;

/**
 * The host pools a plan reads. A standby host pool serves one region; SiteRecovery and
 * SharedHostPool have one set of pools, in the primary's resource group, whose hosts belong to
 * the region their VM is in.
 */
export function poolsOf(plan: AvdDisasterRecoveryPlan): PoolRef[] {
  const { primary, secondary, strategy } = plan.spec;
  const pools = (spec: typeof primary, field: string, region?: Region): PoolRef[] =>
    spec.hostPools.map((name) => ({
      resourceGroup: spec.resourceGroup,
      name,
      field,
      ...(region ? { region } : {}),
    }));
  if (strategy === "StandbyHostPool")
    return [
      ...pools(primary, "spec.primary.hostPools", "Primary"),
      ...pools(secondary, "spec.secondary.hostPools", "Secondary"),
    ];
  return pools(primary, "spec.primary.hostPools");
}

/** A resource id's resource group, lower case (ARM ids ignore case). */
export function resourceGroupOfId(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1]?.toLowerCase();
}

/**
 * Reads the plan's session hosts and, with `power` (the default), their VMs' power states. Without
 * it, VMs are listed only where the region of a host cannot be told from its VM's resource group.
 */
export async function readInventory(
  plan: AvdDisasterRecoveryPlan,
  dv: DesktopVirtualizationGateway,
  compute: ComputeGateway,
  options: { power?: boolean } = {},
): Promise<Inventory> {
  const pools = poolsOf(plan);
  const listed = await Promise.all(
    pools.map(async (pool) => {
      try {
        return (await dv.listSessionHosts(pool.resourceGroup, pool.name)).map((info) => ({ pool, info }));
      } catch (error) {
        throw missingPool(error, pool);
      }
    }),
  );
  const hosts: Host[] = listed.flat();
  const byGroup = new Map<string, Region>([
    [plan.spec.primary.resourceGroup.toLowerCase(), "Primary"],
    [plan.spec.secondary.resourceGroup.toLowerCase(), "Secondary"],
  ]);
  const groups = new Set<string>();
  for (const h of hosts) {
    const rg = h.info.vmResourceId && resourceGroupOfId(h.info.vmResourceId);
    if (rg && (options.power !== false || (!h.pool.region && !byGroup.has(rg)))) groups.add(rg);
  }
  const vms = new Map<string, VmPowerInfo>();
  const unreachable = new Map<string, string>();
  await Promise.all(
    [...groups].map(async (rg) => {
      try {
        for (const vm of await compute.listPowerStates(rg)) vms.set(vm.id.toLowerCase(), vm);
      } catch (error) {
        // A region that does not answer must not hide the rest: its hosts are known without power.
        if (classifyAzureError(error).kind !== "transient") throw error;
        unreachable.set(rg, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  const byLocation = new Map<string, Region>([
    [plan.spec.primary.location, "Primary"],
    [plan.spec.secondary.location, "Secondary"],
  ]);
  for (const h of hosts) {
    const vm = h.info.vmResourceId ? vms.get(h.info.vmResourceId.toLowerCase()) : undefined;
    if (vm) h.vm = vm;
    const group = h.info.vmResourceId ? resourceGroupOfId(h.info.vmResourceId) : undefined;
    const region =
      h.pool.region ?? (vm ? byLocation.get(vm.location) : group ? byGroup.get(group) : undefined);
    if (region) h.region = region;
  }
  return { pools, hosts, unreachable };
}

/** A pool that does not exist, said with the spec field that names it. */
function missingPool(error: unknown, pool: PoolRef): unknown {
  if (!(error instanceof AzureError) || !error.notFound) return error;
  const what = error.code === "ResourceGroupNotFound" ? `resource group ${pool.resourceGroup}` : "it";
  return new AzureError(
    `${pool.field}: host pool ${pool.name} in resource group ${pool.resourceGroup} was not found (${what} does not exist): create it, or correct the name`,
    "HostPoolNotFound",
    404,
    undefined,
    { cause: error },
  );
}
