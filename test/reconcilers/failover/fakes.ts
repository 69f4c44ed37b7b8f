// Fakes for unit tests of one phase: a scope over an in-memory Desktop Virtualization gateway,
// a clock the test moves, and the plan and request the phase reads. End-to-end tests use the
// emulator instead.
import type {
  AvdDisasterRecoveryPlan,
  FailoverRequest,
  FailoverRequestSpec,
  FailoverRequestStatus,
} from "../../../src/api/index.ts";
import type {
  DesktopVirtualizationGateway,
  SessionHostInfo,
  UserSessionInfo,
  UserSessionRef,
} from "../../../src/azure/gateways.ts";
import type { AzureGateways } from "../../../src/azure/index.ts";
import type { EventInput } from "../../../src/controller/events.ts";
import { silentLog } from "../../../src/controller/logger.ts";
import type { Clock } from "../../../src/reconcilers/clock.ts";
import { drainPolicy, type FailoverScope, verifyPolicy } from "../../../src/reconcilers/failover/scope.ts";
import type { Host, Inventory, PoolRef } from "../../../src/reconcilers/inventory.ts";
import { failover, plan } from "../../operator/fixtures.ts";

export class TestClock implements Clock {
  #now: number;
  constructor(start = "2026-11-26T08:00:00Z") {
    this.#now = Date.parse(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  toRealMs(ms: number): number {
    return ms;
  }
  advance(seconds: number): void {
    this.#now += seconds * 1000;
  }
}

const pool: PoolRef = {
  resourceGroup: "rg-weu",
  name: "hp-weu",
  field: "spec.primary.hostPools",
  region: "Primary",
};

/** An in-memory host pool: hosts in Primary, their sessions, and a record of every call. */
export class FakeDesktopVirtualization implements Partial<DesktopVirtualizationGateway> {
  readonly hosts = new Map<string, SessionHostInfo>();
  sessions: UserSessionInfo[] = [];
  readonly calls: string[] = [];
  /** A call that fails with this error, once per matching call, while set. */
  failWith?: { match: RegExp; error: Error };
  #nextId = 1;

  addHost(name: string, allowNewSession = true): void {
    this.hosts.set(name, {
      id: `/subscriptions/s/resourceGroups/rg-weu/providers/Microsoft.DesktopVirtualization/hostPools/hp-weu/sessionHosts/${name}`,
      name,
      resourceGroup: "rg-weu",
      hostPool: "hp-weu",
      status: "Available",
      allowNewSession,
      sessions: 0,
    });
  }

  signIn(
    host: string,
    user: string,
    state = "Active",
    at = new Date("2026-11-26T07:00:00Z"),
  ): UserSessionInfo {
    const id = String(this.#nextId++);
    const session: UserSessionInfo = {
      id: `${this.hosts.get(host)!.id}/userSessions/${id}`,
      resourceGroup: "rg-weu",
      hostPool: "hp-weu",
      sessionHost: host,
      sessionId: id,
      userPrincipalName: user,
      state,
      createTime: at,
    };
    this.sessions.push(session);
    return session;
  }

  signOut(user: string): void {
    this.sessions = this.sessions.filter((s) => s.userPrincipalName !== user);
  }

  #call(what: string): void {
    this.calls.push(what);
    if (this.failWith?.match.test(what)) throw this.failWith.error;
  }

  async listSessionHosts(): Promise<SessionHostInfo[]> {
    return [...this.hosts.values()].map((h) => ({ ...h }));
  }
  async setAllowNewSession(
    _rg: string,
    _pool: string,
    host: string,
    allow: boolean,
  ): Promise<SessionHostInfo> {
    this.#call(`drain ${host} ${allow}`);
    const h = this.hosts.get(host)!;
    h.allowNewSession = allow;
    return { ...h };
  }
  async listUserSessions(): Promise<UserSessionInfo[]> {
    this.#call("list sessions");
    return this.sessions.map((s) => ({ ...s }));
  }
  async sendMessage(session: UserSessionRef): Promise<void> {
    this.#call(`notify ${session.sessionHost}/${session.sessionId}`);
  }
  async logOff(session: UserSessionRef): Promise<void> {
    this.#call(`logoff ${session.sessionHost}/${session.sessionId}`);
    this.sessions = this.sessions.filter(
      (s) => !(s.sessionHost === session.sessionHost && s.sessionId === session.sessionId),
    );
  }
}

function inventoryOf(dv: FakeDesktopVirtualization): Inventory {
  return {
    unreachable: new Map(),
    pools: [pool],
    hosts: [...dv.hosts.values()].map((info): Host => ({ pool, info: { ...info }, region: "Primary" })),
  };
}

export interface FakeScope extends FailoverScope {
  clock: TestClock;
  events: { record(event: EventInput): void; recorded: EventInput[] };
}

/** A scope over the fake pool: a planned failover from Primary to Secondary. */
export function fakeScope(
  dv: FakeDesktopVirtualization,
  options: {
    spec?: Partial<FailoverRequestSpec>;
    plan?: (p: AvdDisasterRecoveryPlan) => void;
    status?: FailoverRequestStatus;
    clock?: TestClock;
  } = {},
): FakeScope {
  const p = plan("contoso", "hp-weu");
  p.spec.primary.resourceGroup = "rg-weu";
  p.spec.drain = { gracePeriod: "10m", logOffPolicy: "Force" };
  options.plan?.(p);
  const request: FailoverRequest = failover("to-neu", "contoso");
  request.metadata.namespace = "ns";
  request.spec = { ...request.spec, ...options.spec };
  const clock = options.clock ?? new TestClock();
  const recorded: EventInput[] = [];
  const status: FailoverRequestStatus = options.status ?? {
    phase: "Draining",
    phases: [
      {
        phase: "Draining",
        startTime: clock
          .now()
          .toISOString()
          .replace(/\.\d+Z$/, "Z"),
      },
    ],
  };
  return {
    request,
    plan: p,
    gateways: { desktopVirtualization: dv } as unknown as AzureGateways,
    clock,
    log: silentLog,
    signal: new AbortController().signal,
    from: "Primary",
    to: "Secondary",
    drain: drainPolicy(p, request),
    verify: verifyPolicy(p),
    status,
    memory: {},
    events: { record: (e) => recorded.push(e), recorded },
    now: () => clock.now(),
    inventory: async () => inventoryOf(dv),
    hosts: async () => inventoryOf(dv),
    protectedItems: async () => [],
  };
}
