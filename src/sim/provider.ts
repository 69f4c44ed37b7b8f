// What a resource provider of the emulator is: a namespace, the api-versions it accepts,
// and its routes, each naming the ARM operation it implements. The server registers every
// provider the same way; Site Recovery joins the list in the next issue.
import type { SimClock, Timeline } from "./clock.ts";
import type { CallClass, Handler, SimRequest, SimResponse } from "./http.ts";
import { origin } from "./http.ts";
import type { OperationEngine } from "./operations.ts";
import type { SiteRecovery } from "./site-recovery/model.ts";
import type { World } from "./world.ts";

export interface SimContext {
  readonly world: World;
  readonly operations: OperationEngine;
  readonly clock: SimClock;
  readonly timeline: Timeline;
  /** Largest page a list answers with; callers may ask for smaller pages. */
  readonly pageSize: number;
  /** Vaults, protected items, recovery plans and jobs, rebuilt with the world. */
  readonly siteRecovery: SiteRecovery;
}

export interface ProviderRoute {
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE";
  /** Path under ARM, e.g. /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/... */
  path: string;
  operation: string;
  callClass?: CallClass;
  handler: Handler;
}

export interface ResourceProvider {
  readonly namespace: string;
  readonly apiVersions: readonly string[];
  routes(ctx: SimContext): ProviderRoute[];
}

/** read for GET, delete for DELETE, action for POST, write for PUT and PATCH. */
export function callClassOf(method: string): CallClass {
  if (method === "GET") return "read";
  if (method === "DELETE") return "delete";
  if (method === "POST") return "action";
  return "write";
}

export const rgPath = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";

/**
 * One page of a list with ARM's `nextLink`: the same URL with `$skipToken` moved on.
 * `pageSize` in the query (desktop virtualization's paging option) can make pages smaller.
 */
export function page<T>(
  req: SimRequest,
  ctx: SimContext,
  items: readonly T[],
  render: (item: T) => unknown,
): SimResponse {
  const asked = Number(req.url.searchParams.get("pageSize"));
  const size = asked > 0 ? Math.min(asked, ctx.pageSize) : ctx.pageSize;
  const skip = Math.max(0, Number(req.url.searchParams.get("$skipToken")) || 0);
  const value = items.slice(skip, skip + size).map(render);
  if (skip + size >= items.length) return { status: 200, body: { value } };
  const next = new URL(req.url.pathname + req.url.search, origin(req));
  next.searchParams.set("$skipToken", String(skip + size));
  return { status: 200, body: { value, nextLink: next.toString() } };
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** The status resource and Location of a provider's long-running operations. */
export function operationStatusRoutes(ctx: SimContext, namespace: string): ProviderRoute[] {
  return [
    {
      method: "GET",
      path: `/subscriptions/{subscriptionId}/providers/${namespace}/locations/{location}/operations/{operationId}`,
      operation: `${namespace}/locations/operations/read`,
      handler: (req) =>
        ctx.operations.poll(req.params.operationId!, req.url.searchParams.get("monitor") === "true"),
    },
  ];
}
