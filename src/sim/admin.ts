// The admin side of the emulator, beside ARM (under /admin, never /subscriptions): create
// and end user sessions, read call counters and the audit log of writes, reset. Tests, the
// demo and the benchmarks drive it in-process (`SimAdmin`) or over HTTPS (`adminRoutes`).
import { ArmError, badRequest, jsonBody, type SimRequest } from "./http.ts";
import type { ProviderRoute } from "./provider.ts";
import type { AuditEntry, CallCount } from "./records.ts";
import type { SimState } from "./state.ts";
import type { UserSession } from "./world.ts";

export interface ConnectUser {
  /** "resourceGroup/hostPool" */
  hostPool: string;
  user: string;
  /** The session host's FQDN; omitted, the broker's choice (an Available host accepting sessions). */
  sessionHost?: string;
  state?: "Active" | "Disconnected";
}

export interface SessionInfo {
  id: string;
  sessionHost: string;
  user: string;
  state: string;
}

export class SimAdmin {
  readonly #state: SimState;

  constructor(state: SimState) {
    this.#state = state;
  }

  /** Simulated now, ISO 8601. */
  now(): string {
    return this.#state.clock.nowIso();
  }

  counters(): CallCount[] {
    return this.#state.counters.list();
  }

  /** ARM calls of one operation kind, optionally of one HTTP status. */
  calls(kind: string, status?: number): number {
    return this.#state.counters.count(kind, status);
  }

  audit(filter: { operation?: string; since?: number } = {}): AuditEntry[] {
    return this.#state.audit.list(filter);
  }

  connectUser(spec: ConnectUser): SessionInfo {
    const world = this.#advanced();
    const [rg, name] = spec.hostPool.split("/");
    const pool = rg && name ? world.hostPool(rg, name) : undefined;
    if (!pool)
      throw badRequest(`hostPool: no host pool "${spec.hostPool}"; write it as resourceGroup/hostPool`);
    if (typeof spec.user !== "string" || spec.user === "")
      throw badRequest("user: give the user principal name");
    const host = spec.sessionHost
      ? world.sessionHost(pool, spec.sessionHost)
      : world.placeSession(pool, spec.user);
    if (!host) {
      throw new ArmError(
        409,
        "NoSessionHostAvailable",
        spec.sessionHost
          ? `sessionHost: no session host "${spec.sessionHost}" in ${spec.hostPool}`
          : `no session host of ${spec.hostPool} is Available and accepting new sessions for ${spec.user}`,
      );
    }
    if (world.status(host) !== "Available") {
      throw new ArmError(
        409,
        "SessionHostNotAvailable",
        `session host ${host.name} is ${world.status(host)}`,
      );
    }
    return sessionInfo(world.connect(host, spec.user, spec.state));
  }

  /**
   * Registers a VM as a session host of a pool ("resourceGroup/vm", "resourceGroup/hostPool"), as
   * installing the AVD agent with the pool's registration token does: a host added later.
   */
  registerSessionHost(spec: { hostPool: string; vm: string }): { id: string; name: string } {
    const world = this.#advanced();
    const [rg, name] = spec.hostPool.split("/");
    const pool = rg && name ? world.hostPool(rg, name) : undefined;
    if (!pool)
      throw badRequest(`hostPool: no host pool "${spec.hostPool}"; write it as resourceGroup/hostPool`);
    const [vmRg, vmName] = spec.vm.split("/");
    const vm = vmRg && vmName ? world.virtualMachine(vmRg, vmName) : undefined;
    if (!vm) throw badRequest(`vm: no virtual machine "${spec.vm}"; write it as resourceGroup/vm`);
    if (vm.sessionHost)
      throw new ArmError(
        409,
        "SessionHostExists",
        `vm: ${spec.vm} is already session host ${vm.sessionHost.name}`,
      );
    const host = world.addSessionHost(pool, vm);
    return { id: host.id, name: host.name };
  }

  /** Ends a user session (the user signs out) by its resource id. */
  endSession(id: string): void {
    const world = this.#advanced();
    const match = /\/hostPools\/([^/]+)\/sessionHosts\/([^/]+)\/userSessions\/([^/]+)$/i.exec(id);
    const rg = /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1];
    const pool = match && rg ? world.hostPool(rg, match[1]!) : undefined;
    const host = pool ? world.sessionHost(pool, match![2]!) : undefined;
    if (!host?.sessions.delete(match![3]!))
      throw new ArmError(404, "ResourceNotFound", `no user session ${id}`);
  }

  sessions(hostPool?: string): SessionInfo[] {
    const world = this.#advanced();
    const pools = [...world.hostPools.values()].filter(
      (p) =>
        hostPool === undefined || `${p.resourceGroup}/${p.name}`.toLowerCase() === hostPool.toLowerCase(),
    );
    return pools.flatMap((p) =>
      [...p.sessionHosts.values()].flatMap((h) => [...h.sessions.values()].map(sessionInfo)),
    );
  }

  /** Back to the topology: resources, sessions, clock, counters and audit log. */
  reset(): void {
    this.#state.reset();
  }

  #advanced() {
    this.#state.timeline.advance();
    return this.#state.world;
  }
}

function sessionInfo(session: UserSession): SessionInfo {
  return {
    id: `${session.host.id}/userSessions/${session.id}`,
    sessionHost: session.host.name,
    user: session.userPrincipalName,
    state: session.state,
  };
}

export function adminRoutes(admin: SimAdmin): ProviderRoute[] {
  const ok = (body: unknown) => ({ status: 200, body });
  return [
    {
      method: "GET",
      path: "/admin/clock",
      operation: "admin/clock",
      handler: () => ok({ now: admin.now() }),
    },
    {
      method: "GET",
      path: "/admin/counters",
      operation: "admin/counters",
      handler: () => ok({ value: admin.counters() }),
    },
    {
      method: "GET",
      path: "/admin/audit",
      operation: "admin/audit",
      handler: (req) => {
        const operation = req.url.searchParams.get("operation") ?? undefined;
        const since = Number(req.url.searchParams.get("since") ?? 0);
        return ok({ value: admin.audit({ ...(operation ? { operation } : {}), since }) });
      },
    },
    {
      method: "GET",
      path: "/admin/sessions",
      operation: "admin/sessions",
      handler: (req) => ok({ value: admin.sessions(req.url.searchParams.get("hostPool") ?? undefined) }),
    },
    {
      method: "POST",
      path: "/admin/sessions",
      operation: "admin/sessions/create",
      handler: (req) => ({ status: 201, body: admin.connectUser(connectBody(req)) }),
    },
    {
      method: "DELETE",
      path: "/admin/sessions",
      operation: "admin/sessions/end",
      handler: (req) => {
        const id = req.url.searchParams.get("id");
        if (!id) throw badRequest("id: give the user session's resource id as ?id=");
        admin.endSession(id);
        return { status: 204 };
      },
    },
    {
      method: "POST",
      path: "/admin/sessionHosts",
      operation: "admin/sessionHosts/create",
      handler: (req) => {
        const body = jsonBody(req);
        for (const field of ["hostPool", "vm"] as const)
          if (typeof body[field] !== "string") throw badRequest(`${field}: required string`);
        return { status: 201, body: admin.registerSessionHost(body as { hostPool: string; vm: string }) };
      },
    },
    {
      method: "POST",
      path: "/admin/reset",
      operation: "admin/reset",
      handler: () => {
        admin.reset();
        return { status: 204 };
      },
    },
  ];
}

function connectBody(req: SimRequest): ConnectUser {
  const body = jsonBody(req);
  for (const field of ["hostPool", "user"] as const) {
    if (typeof body[field] !== "string") throw badRequest(`${field}: required string`);
  }
  return body as unknown as ConnectUser;
}
