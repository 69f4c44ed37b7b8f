// Cache indexes the reconcilers query, and the maps from a changed object to the keys to
// reconcile. Index functions see objects as stored, which may be malformed: they never throw.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { AvdDisasterRecoveryPlan, FailoverRequest } from "../api/index.ts";

/** Plans by "namespace/secretName" of their credentials Secret. */
export const PLANS_BY_SECRET = "planSecret";
/** FailoverRequests by "namespace/planName". */
export const REQUESTS_BY_PLAN = "requestPlan";
/** Plans by "subscription/resourceGroup/hostPool" (lower case: Azure names ignore case) of every host pool they manage. */
export const PLANS_BY_HOST_POOL = "planHostPool";

export function planSecretKeys(plan: AvdDisasterRecoveryPlan): string[] {
  const name = plan.spec?.credentials?.secretRef?.name;
  return typeof name === "string" ? [`${plan.metadata?.namespace}/${name}`] : [];
}

export function planHostPoolKeys(plan: AvdDisasterRecoveryPlan): string[] {
  const spec = plan.spec;
  const keys = new Set<string>();
  for (const region of [spec?.primary, spec?.secondary]) {
    if (!Array.isArray(region?.hostPools)) continue;
    for (const pool of region.hostPools)
      keys.add(hostPoolKey(spec.subscriptionId, region.resourceGroup, pool));
  }
  return [...keys];
}

export function hostPoolKey(subscription: unknown, resourceGroup: unknown, pool: unknown): string {
  return `${subscription}/${resourceGroup}/${pool}`.toLowerCase();
}

export function requestPlanKeys(request: FailoverRequest): string[] {
  const name = request.spec?.planRef?.name;
  return typeof name === "string" ? [`${request.metadata?.namespace}/${name}`] : [];
}

/** creationTimestamp, then name: the order in which competing requests are decided. */
export function creationOrder(a: KubernetesObject, b: KubernetesObject): number {
  const ta = new Date(a.metadata?.creationTimestamp ?? 0).getTime();
  const tb = new Date(b.metadata?.creationTimestamp ?? 0).getTime();
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? "";
  const nb = b.metadata?.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}
