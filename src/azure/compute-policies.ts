// Microsoft.Compute's own throttling ("Compute throttling limits" on learn.microsoft.com): API
// requests fall into policies, each a token bucket per subscription and region and, for most, one
// per VM, refilled per minute. Remaining counts come back in `x-ms-ratelimit-remaining-resource`.
// The same model serves the emulator (which throttles with it) and the gateways' pacer (which
// holds power actions back by it). No SDK here: plain numbers, paths and header text.
import { type BucketLimits, scaledBucket } from "./pacing-buckets.ts";

/** The policies of what the operator calls: start and powerOff, deallocate, one VM's reads, VM lists. */
export type ComputePolicy = "UpdateVM" | "DeleteVM" | "LowCostGet" | "HighCostGet";
export const computePolicies: readonly ComputePolicy[] = [
  "UpdateVM",
  "DeleteVM",
  "LowCostGet",
  "HighCostGet",
];

export interface ComputePolicyLimits {
  /** All VMs of a subscription in one region. */
  subscription: BucketLimits;
  /** One VM; lists (HighCostGet) have none. */
  resource?: BucketLimits;
}

export type ComputeLimits = Record<ComputePolicy, ComputePolicyLimits>;

const perMinute = (capacity: number, refillPerMinute: number): BucketLimits => ({
  capacity,
  refillPerSecond: refillPerMinute / 60,
});

/** The documented sizes (2024): capacity and refill per minute, per VM and per subscription and region. */
export const computeLimits: ComputeLimits = {
  UpdateVM: { resource: perMinute(12, 4), subscription: perMinute(1500, 500) },
  DeleteVM: { resource: perMinute(12, 4), subscription: perMinute(1500, 500) },
  LowCostGet: { resource: perMinute(36, 12), subscription: perMinute(24000, 8000) },
  HighCostGet: { subscription: perMinute(900, 300) },
};

/** Compute's buckets on a clock that runs `timeScale` times real time: refills per real second. */
export function scaledComputeLimits(timeScale: number, limits: ComputeLimits): ComputeLimits {
  const scaled = {} as ComputeLimits;
  for (const policy of computePolicies) {
    const { subscription, resource } = limits[policy];
    scaled[policy] = {
      subscription: scaledBucket(subscription, timeScale),
      ...(resource ? { resource: scaledBucket(resource, timeScale) } : {}),
    };
  }
  return scaled;
}

export type ComputeBucketLevel = "subscription" | "resource";

/** A bucket's name in `x-ms-ratelimit-remaining-resource` and in a 429's `details[].target`. */
export function computeBucketName(policy: ComputePolicy, level: ComputeBucketLevel): string {
  return `${policy}${level === "subscription" ? "SubscriptionMaximum" : "Resource"}`;
}

const vmRequest =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.compute\/virtualmachines\/[^/]+/i;
const vmList =
  /^\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?\/providers\/microsoft\.compute\/virtualmachines\/?$/i;
const updateActions = new Set(["start", "poweroff", "restart", "reapply", "redeploy"]);
const deleteActions = new Set(["deallocate", "simulateeviction"]);

/**
 * The policy a request to Compute falls under, and the VM it counts against (its path, lower
 * case); undefined for requests outside the policies modelled here.
 */
export function computePolicyOf(
  method: string,
  path: string,
): { policy: ComputePolicy; vm?: string } | undefined {
  const m = method.toUpperCase();
  if (vmList.test(path)) return m === "GET" ? { policy: "HighCostGet" } : undefined;
  const vm = vmRequest.exec(path)?.[0].toLowerCase();
  if (!vm) return undefined;
  const rest = path
    .slice(vm.length)
    .replace(/^\/|\/$/g, "")
    .toLowerCase();
  if (m === "GET" && (rest === "" || rest === "instanceview")) return { policy: "LowCostGet", vm };
  if ((m === "POST" && updateActions.has(rest)) || (m === "PATCH" && rest === ""))
    return { policy: "UpdateVM", vm };
  if ((m === "POST" && deleteActions.has(rest)) || (m === "DELETE" && rest === ""))
    return { policy: "DeleteVM", vm };
  return undefined;
}

/** `Microsoft.Compute/A;3,Microsoft.Compute/B;10` → {A: 3, B: 10}; entries that do not parse are left out. */
export function parseRemainingResource(value: string | undefined): Map<string, number> {
  const remaining = new Map<string, number>();
  for (const entry of value?.split(",") ?? []) {
    const match = /^\s*Microsoft\.Compute\/([^;]+);(\d+)\s*$/i.exec(entry);
    if (match) remaining.set(match[1]!, Number(match[2]));
  }
  return remaining;
}

export function formatRemainingResource(remaining: ReadonlyMap<string, number>): string {
  return [...remaining].map(([name, count]) => `Microsoft.Compute/${name};${count}`).join(",");
}
