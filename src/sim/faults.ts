// Fault injection: what can go wrong in Azure, from the topology or switched at run time
// through the admin API. Per ARM operation kind, an error rate (deterministic: a rate of
// 0.25 fails exactly every fourth call) and added latency; a region outage, in which every
// call touching the region fails or hangs and its VMs' agents stop reporting; a VM whose
// failover fails; a Site Recovery job that fails midway.

import { checkedBody } from "./admin-body.ts";
import type { Timeline } from "./clock.ts";
import { type FaultsConfig, FaultsSchema } from "./faults-schema.ts";
import { ArmError, type Middleware, type SimRequest } from "./http.ts";
import type { ProviderRoute, SimContext } from "./provider.ts";
import type { JobError } from "./site-recovery/jobs.ts";
import type { SiteRecoveryFaults } from "./site-recovery/model.ts";

export class Faults implements SiteRecoveryFaults {
  readonly #timeline: Timeline;
  readonly #initial: FaultsConfig;
  #config: FaultsConfig = {};
  /** Calls seen per rule, for the deterministic error rate. */
  #seen = new Map<object, number>();
  /** Since when each region is down (simulated ms). */
  #down = new Map<string, number>();
  /** Requests held by a hanging outage, released when it ends. */
  #held = new Set<() => void>();

  constructor(timeline: Timeline, config: FaultsConfig = {}) {
    this.#timeline = timeline;
    this.#initial = config;
    this.configure(config);
  }

  /** Replaces every fault; an outage that goes on keeps its start time. */
  configure(config: FaultsConfig): void {
    this.#config = config;
    this.#seen = new Map();
    const down = new Map<string, number>();
    for (const o of config.regionOutages ?? [])
      down.set(o.region, this.#down.get(o.region) ?? this.#timeline.now());
    this.#down = down;
    for (const release of this.#held) release();
    this.#held.clear();
  }

  config(): FaultsConfig {
    return this.#config;
  }

  reset(): void {
    this.#down.clear();
    this.configure(this.#initial);
  }

  regionDownSince(location: string): number | undefined {
    return this.#down.get(location);
  }

  failoverFailure(vmId: string): JobError | undefined {
    const ref = vmId.replace(
      /^.*\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\//i,
      "$1/",
    );
    const failing = (this.#config.failoverFailures ?? []).some((f) => f.toLowerCase() === ref.toLowerCase());
    if (!failing) return undefined;
    return {
      code: "A2AFailoverFailed",
      message: `The failover of virtual machine ${ref} failed: the replica could not be created (injected fault).`,
      possibleCauses: "Capacity in the recovery region, or a fault injected into the emulator.",
      recommendedAction: "Retry the failover; if it keeps failing, choose another VM size or region.",
    };
  }

  jobFailure(scenarioName: string): { afterTasks: number; error: JobError } | undefined {
    const rule = (this.#config.jobFailures ?? []).find(
      (f) => f.scenario === "*" || f.scenario.toLowerCase() === scenarioName.toLowerCase(),
    );
    if (!rule) return undefined;
    return {
      afterTasks: rule.afterTasks ?? 1,
      error: {
        code: rule.code ?? "InternalError",
        message: rule.message ?? `The ${scenarioName} job failed midway (injected fault).`,
      },
    };
  }

  /** The rule for an operation kind that fails this call, and the latency to add to it. */
  forCall(operation: string): { error?: { status: number; code: string }; latencySeconds: number } {
    let latencySeconds = 0;
    let error: { status: number; code: string } | undefined;
    for (const rule of this.#config.operations ?? []) {
      if (!matches(rule.operation, operation)) continue;
      latencySeconds += rule.latencySeconds ?? 0;
      const rate = rule.errorRate ?? 0;
      if (rate > 0 && !error) {
        const n = (this.#seen.get(rule) ?? 0) + 1;
        this.#seen.set(rule, n);
        // Exactly `rate` of the calls fail, spread evenly: call n fails when floor(n·rate) steps up.
        if (Math.floor(n * rate) > Math.floor((n - 1) * rate))
          error = { status: rule.status ?? 500, code: rule.code ?? "InternalServerError" };
      }
    }
    return { ...(error ? { error } : {}), latencySeconds };
  }

  outageMode(location: string): "fail" | "hang" | undefined {
    const outage = (this.#config.regionOutages ?? []).find((o) => o.region === location);
    return outage ? (outage.mode ?? "fail") : undefined;
  }

  /** Waits until the outages change (a hanging request is released then). */
  hold(): Promise<void> {
    return new Promise((resolve) => this.#held.add(resolve));
  }
}

function matches(pattern: string, operation: string): boolean {
  const p = pattern.toLowerCase();
  const o = operation.toLowerCase();
  return p.endsWith("*") ? o.startsWith(p.slice(0, -1)) : p === o;
}

/**
 * The region a call touches: its VM's, its session host's VM's, its Recovery Services vault's,
 * or the one in its path. Host pools are not tied to one: AVD's control plane is global.
 */
function regionOf(req: SimRequest, ctx: SimContext): string | undefined {
  const world = ctx.world;
  const { resourceGroupName: rg, vmName, hostPoolName, sessionHostName, location, resourceName } = req.params;
  if (rg && vmName) return world.virtualMachine(rg, vmName)?.location;
  if (rg && resourceName) return ctx.siteRecovery.vault(rg, resourceName)?.location;
  if (rg && hostPoolName && sessionHostName) {
    const pool = world.hostPool(rg, hostPoolName);
    return pool ? world.sessionHost(pool, sessionHostName)?.vm.location : undefined;
  }
  if (location) return location;
  if (rg && req.route?.operation.startsWith("Microsoft.Compute/")) return world.resourceGroup(rg)?.location;
  return undefined;
}

export function injectFaults(faults: Faults, ctx: SimContext, timeScale: number): Middleware {
  return {
    name: "faults",
    async handle(req, next) {
      const route = req.route;
      if (!route) return next();
      const region = regionOf(req, ctx);
      const mode = () => (region ? faults.outageMode(region) : undefined);
      // A hanging request waits until the outage ends (or turns into a failing one).
      while (mode() === "hang") await faults.hold();
      if (mode() === "fail")
        throw new ArmError(
          503,
          "RegionUnavailable",
          `The region '${region}' is unavailable (injected region outage); '${route.operation}' could not be served.`,
        );
      const { error, latencySeconds } = faults.forCall(route.operation);
      if (latencySeconds > 0) await new Promise((r) => setTimeout(r, latencySeconds * 1000 * timeScale));
      if (error)
        throw new ArmError(
          error.status,
          error.code,
          `'${route.operation}' failed (injected fault, code ${error.code}).`,
        );
      return next();
    },
  };
}

/** GET, PUT and DELETE /admin/faults: read, replace or clear every fault. */
export function faultAdminRoutes(faults: Faults): ProviderRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/faults",
      operation: "admin/faults",
      handler: () => ({ status: 200, body: faults.config() }),
    },
    {
      method: "PUT",
      path: "/admin/faults",
      operation: "admin/faults/write",
      handler: (req) => {
        faults.configure(checkedBody(req, FaultsSchema));
        return { status: 200, body: faults.config() };
      },
    },
    {
      method: "DELETE",
      path: "/admin/faults",
      operation: "admin/faults/delete",
      handler: () => {
        faults.configure({});
        return { status: 204 };
      },
    },
  ];
}
