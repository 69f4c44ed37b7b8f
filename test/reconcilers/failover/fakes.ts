// Fakes for unit tests of the failover phases and the runner: in-memory gateways (host pools and
// their sessions, Compute's power states, an ASR vault whose items move through ASR's states), a
// clock the test moves, and the plan, request and scope a phase reads. Each holds only what the
// unit tests need; end-to-end tests use the emulator instead.
import {
  type AvdDisasterRecoveryPlan,
  type FailoverPhase,
  type FailoverRequest,
  type FailoverRequestSpec,
  type FailoverRequestStatus,
  metav1Time,
} from "../../../src/api/index.ts";
import { AzureError } from "../../../src/azure/errors.ts";
import type {
  ApplicationGroupInfo,
  ComputeGateway,
  DesktopVirtualizationGateway,
  FailoverOptions,
  LongRunningOperation,
  OperationProgress,
  PowerState,
  ProtectedItemInfo,
  RecoveryPlanInfo,
  RecoveryPlanRef,
  SessionHostInfo,
  SiteRecoveryGateway,
  SiteRecoveryOperation,
  SiteRecoveryTarget,
  UserSessionInfo,
  UserSessionRef,
  VaultRef,
  VmPowerInfo,
  WorkspaceInfo,
} from "../../../src/azure/gateways.ts";
import type { AzureGateways } from "../../../src/azure/index.ts";
import type { EventInput } from "../../../src/controller/events.ts";
import { silentLog } from "../../../src/controller/logger.ts";
import type { Clock } from "../../../src/reconcilers/clock.ts";
import {
  azureReads,
  drainPolicy,
  type FailoverScope,
  verifyPolicy,
} from "../../../src/reconcilers/failover/scope.ts";
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

/** Where the plan's pools and VMs are: the primary pool, and the standby pool of StandbyHostPool. */
export const PRIMARY = { resourceGroup: "rg-weu", hostPool: "hp-weu", location: "westeurope" };
export const SECONDARY = { resourceGroup: "rg-neu", hostPool: "hp-weu-standby", location: "northeurope" };

/** The isolated network a drill's test VMs go into. */
export const TEST_NETWORK =
  "/subscriptions/s/resourceGroups/rg-neu/providers/Microsoft.Network/virtualNetworks/vnet-drill";

const SUBSCRIPTION = "/subscriptions/s";
const vmIdOf = (resourceGroup: string, name: string) =>
  `${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
const desktopId = (resourceGroup: string, type: string, name: string) =>
  `${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.DesktopVirtualization/${type}/${name}`;
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Reads are "list …", "get …" or "check …"; everything else a fake records changes Azure. */
export const isWrite = (call: string) => !/^(list|get|check) /.test(call);

/** What every fake gateway shares: the calls it was sent, and an error for the calls that match. */
class FakeGateway {
  readonly calls: string[] = [];
  /** Every call matching `match` fails with `error`, while set. */
  failWith?: { match: RegExp; error: Error };

  protected call(what: string): void {
    this.calls.push(what);
    if (this.failWith?.match.test(what)) throw this.failWith.error;
  }
}

/** In-memory host pools: their session hosts, user sessions, application groups and workspaces. */
export class FakeDesktopVirtualization extends FakeGateway implements Partial<DesktopVirtualizationGateway> {
  readonly hosts = new Map<string, SessionHostInfo>();
  sessions: UserSessionInfo[] = [];
  readonly applicationGroups: ApplicationGroupInfo[] = [];
  readonly workspaces: WorkspaceInfo[] = [];
  #nextId = 1;

  /** A session host, by default in the primary pool, Available and without a VM. */
  addHost(name: string, allowNewSession = true, more: Partial<SessionHostInfo> = {}): SessionHostInfo {
    const resourceGroup = more.resourceGroup ?? PRIMARY.resourceGroup;
    const hostPool = more.hostPool ?? PRIMARY.hostPool;
    const host: SessionHostInfo = {
      id: `${desktopId(resourceGroup, "hostPools", hostPool)}/sessionHosts/${name}`,
      name,
      resourceGroup,
      hostPool,
      status: "Available",
      allowNewSession,
      sessions: 0,
      ...more,
    };
    this.hosts.set(name, host);
    return host;
  }

  /** The pool's desktops in a workspace (`inWorkspace` false: an application group no workspace lists). */
  publish(resourceGroup: string, hostPool: string, inWorkspace = true): void {
    const group: ApplicationGroupInfo = {
      id: desktopId(resourceGroup, "applicationGroups", `${hostPool}-dag`),
      name: `${hostPool}-dag`,
      hostPoolId: desktopId(resourceGroup, "hostPools", hostPool),
      applicationGroupType: "Desktop",
    };
    this.applicationGroups.push(group);
    if (inWorkspace)
      this.workspaces.push({
        id: desktopId(resourceGroup, "workspaces", `${hostPool}-ws`),
        name: `${hostPool}-ws`,
        applicationGroupIds: [group.id],
      });
  }

  signIn(
    host: string,
    user: string,
    state = "Active",
    at = new Date("2026-11-26T07:00:00Z"),
  ): UserSessionInfo {
    const id = String(this.#nextId++);
    const h = this.hosts.get(host)!;
    const session: UserSessionInfo = {
      id: `${h.id}/userSessions/${id}`,
      resourceGroup: h.resourceGroup,
      hostPool: h.hostPool,
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

  async listSessionHosts(_rg: string, pool: string): Promise<SessionHostInfo[]> {
    this.call(`list hosts ${pool}`);
    return [...this.hosts.values()].filter((h) => sameName(h.hostPool, pool)).map((h) => ({ ...h }));
  }
  async setAllowNewSession(
    _rg: string,
    _pool: string,
    host: string,
    allow: boolean,
  ): Promise<SessionHostInfo> {
    this.call(`${allow ? "open" : "drain"} ${host}`);
    const h = this.hosts.get(host)!;
    h.allowNewSession = allow;
    return { ...h };
  }
  async listUserSessions(_rg: string, pool: string): Promise<UserSessionInfo[]> {
    this.call("list sessions");
    return this.sessions.filter((s) => sameName(s.hostPool, pool)).map((s) => ({ ...s }));
  }
  async sendMessage(session: UserSessionRef): Promise<void> {
    this.call(`notify ${session.sessionHost}/${session.sessionId}`);
  }
  async logOff(session: UserSessionRef): Promise<void> {
    this.call(`logoff ${session.sessionHost}/${session.sessionId}`);
    this.sessions = this.sessions.filter(
      (s) => !(s.sessionHost === session.sessionHost && s.sessionId === session.sessionId),
    );
  }
  async listApplicationGroups(rg: string): Promise<ApplicationGroupInfo[]> {
    this.call(`list application groups ${rg}`);
    return this.applicationGroups.filter((g) => inGroup(g.id, rg));
  }
  async listWorkspaces(rg: string): Promise<WorkspaceInfo[]> {
    this.call(`list workspaces ${rg}`);
    return this.workspaces.filter((w) => inGroup(w.id, rg));
  }
}

const inGroup = (id: string, rg: string) => id.toLowerCase().includes(`/resourcegroups/${rg.toLowerCase()}/`);

/** In-memory VMs and their power state; a power action moves a VM to its transition state at once. */
export class FakeCompute extends FakeGateway implements Partial<ComputeGateway> {
  readonly vms = new Map<string, VmPowerInfo>();
  /** VMs whose start does not take (preempted, no capacity): they stay where they were. */
  readonly wontStart = new Set<string>();

  addVm(
    name: string,
    where: { resourceGroup: string; location: string },
    powerState: PowerState,
  ): VmPowerInfo {
    const vm: VmPowerInfo = { id: vmIdOf(where.resourceGroup, name), name, ...where, powerState };
    this.vms.set(name, vm);
    return vm;
  }

  /** Time passes: VMs starting are running, VMs deallocating are deallocated. */
  settle(): void {
    for (const vm of this.vms.values()) {
      if (vm.powerState === "starting") vm.powerState = "running";
      if (vm.powerState === "deallocating") vm.powerState = "deallocated";
    }
  }

  async listPowerStates(rg: string): Promise<VmPowerInfo[]> {
    this.call(`list vms ${rg}`);
    return [...this.vms.values()].filter((vm) => sameName(vm.resourceGroup, rg)).map((vm) => ({ ...vm }));
  }
  async beginStart(_rg: string, name: string): Promise<LongRunningOperation> {
    this.call(`start ${name}`);
    const vm = this.vms.get(name)!;
    if (!this.wontStart.has(name)) vm.powerState = "starting";
    return { kind: "compute/start", target: vm.id, resumeToken: `start-${name}` };
  }
  async beginDeallocate(_rg: string, name: string): Promise<LongRunningOperation> {
    this.call(`deallocate ${name}`);
    const vm = this.vms.get(name)!;
    vm.powerState = "deallocating";
    return { kind: "compute/deallocate", target: vm.id, resumeToken: `deallocate-${name}` };
  }
}

/**
 * An item's place in ASR's A2A flow, and what ASR allows in it, in the service's order (the
 * state machine in docs/sim.md): while a job runs, nothing is allowed.
 */
type ItemState =
  | "Replicating"
  | "Protected"
  | "TestFailedOver"
  | "FailedOver"
  | "FailoverFailed"
  | "Committed";
const ALLOWED: Record<ItemState, string[]> = {
  Replicating: ["DisableProtection"],
  Protected: ["UnplannedFailover", "DisableProtection", "TestFailover"],
  TestFailedOver: ["TestFailoverCleanup"],
  FailedOver: ["Commit", "ChangePit", "DisableProtection"],
  FailoverFailed: ["UnplannedFailover", "DisableProtection"],
  Committed: ["ReverseReplicate", "DisableProtection"],
};
/** Where a job that succeeds leaves its items, by the job's scenario name. */
const AFTER: Record<string, ItemState> = {
  UnplannedFailover: "FailedOver",
  TestFailover: "TestFailedOver",
  TestFailoverCleanup: "Protected",
  CommitFailover: "Committed",
  ReverseReplication: "Protected",
};

interface FakeItem {
  name: string;
  vmId: string;
  state: ItemState;
  activeLocation: "Primary" | "Recovery";
  rpoSeconds?: number;
  testVmId?: string;
  /** The job running on it. */
  job?: string;
}

interface FakeJob {
  name: string;
  scenario: string;
  items: string[];
  state: "InProgress" | "Succeeded" | "Failed";
  error?: { code: string; message: string };
}

export const VAULT: VaultRef = { resourceGroup: "rg-vault", vault: "vault-avd" };

/** An ASR vault: protected items (and optionally one recovery plan holding them all) and their jobs. */
export class FakeSiteRecovery extends FakeGateway implements Partial<SiteRecoveryGateway> {
  readonly items = new Map<string, FakeItem>();
  readonly jobs = new Map<string, FakeJob>();
  /** The options of every failover sent, in order. */
  readonly failovers: FailoverOptions[] = [];
  /** The name of the vault's recovery plan, if it has one. */
  recoveryPlan?: string;
  #planJob?: string;
  #nextJob = 1;

  /** A protected item of a VM (named after it), Protected in the primary unless told otherwise. */
  addItem(vmId: string, more: Partial<Omit<FakeItem, "vmId">> = {}): FakeItem {
    const item: FakeItem = {
      name: vmId.split("/").at(-1)!,
      vmId,
      state: "Protected",
      activeLocation: "Primary",
      ...more,
    };
    this.items.set(item.name, item);
    return item;
  }

  itemId(name: string): string {
    return `${SUBSCRIPTION}/resourceGroups/${VAULT.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${VAULT.vault}/replicationFabrics/weu/replicationProtectionContainers/weu-c/replicationProtectedItems/${name}`;
  }

  planId(): string {
    return `${VAULT.vault}/replicationRecoveryPlans/${this.recoveryPlan}`;
  }

  /** A job started on an item (or `on` the recovery plan) by someone else, or before a restart. */
  startJob(on: string, scenario: string): string {
    const items = on === this.recoveryPlan ? [...this.items.keys()] : [on];
    const job: FakeJob = { name: `job-${this.#nextJob++}`, scenario, items, state: "InProgress" };
    this.jobs.set(job.name, job);
    for (const name of items) this.items.get(name)!.job = job.name;
    if (on === this.recoveryPlan) this.#planJob = job.name;
    return job.name;
  }

  /**
   * Time passes: every running job succeeds and leaves its items where it goes, except the items
   * in `unchanged`, which are left idle where they were (the service does not show the job's effect).
   */
  finishJobs(unchanged: string[] = []): void {
    for (const job of this.jobs.values()) {
      if (job.state !== "InProgress") continue;
      job.state = "Succeeded";
      for (const name of job.items) {
        const item = this.items.get(name)!;
        item.job = undefined;
        if (unchanged.includes(name)) continue;
        item.state = AFTER[job.scenario]!;
        if (job.scenario === "UnplannedFailover")
          item.activeLocation = item.activeLocation === "Primary" ? "Recovery" : "Primary";
        if (job.scenario === "TestFailover")
          item.testVmId = vmIdOf(SECONDARY.resourceGroup, `${item.name}-test`);
        if (job.scenario === "TestFailoverCleanup") item.testVmId = undefined;
      }
    }
    this.#planJob = undefined;
  }

  /** The job running on an item (or the recovery plan) fails: a failover leaves it FailoverFailed. */
  failJob(on: string, message: string): void {
    const job = this.jobs.get(on === this.recoveryPlan ? this.#planJob! : this.items.get(on)!.job!)!;
    job.state = "Failed";
    job.error = { code: "FailoverFailed", message };
    for (const name of job.items) {
      const item = this.items.get(name)!;
      item.job = undefined;
      if (job.scenario === "UnplannedFailover") item.state = "FailoverFailed";
    }
    this.#planJob = undefined;
  }

  /** The calls of one action ("unplannedFailover", "failoverCommit", …), by target. */
  sent(action: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${action} `)).map((c) => c.slice(action.length + 1));
  }

  async listProtectedItems(): Promise<ProtectedItemInfo[]> {
    this.call("list items");
    return [...this.items.values()].map((item) => this.#info(item));
  }

  async getRecoveryPlan(ref: RecoveryPlanRef): Promise<RecoveryPlanInfo | undefined> {
    this.call(`get plan ${ref.recoveryPlan}`);
    if (ref.recoveryPlan !== this.recoveryPlan) return undefined;
    const items = [...this.items.values()].map((i) => this.#info(i));
    const job = this.#planJob ? this.jobs.get(this.#planJob)! : undefined;
    // A plan allows what all its items allow, except DisableProtection.
    const [first, ...rest] = items.map((i) => i.allowedOperations);
    const allowed = (first ?? []).filter(
      (op) => op !== "DisableProtection" && rest.every((ops) => ops.includes(op)),
    );
    return {
      ...ref,
      id: this.planId(),
      allowedOperations: allowed,
      ...(job ? { currentJob: { scenarioName: job.scenario, jobName: job.name } } : {}),
      bootGroups: [items.map((i) => i.id)],
    };
  }

  async beginFailover(target: SiteRecoveryTarget, options: FailoverOptions): Promise<SiteRecoveryOperation> {
    const test = options.type === "test";
    this.call(`${test ? "testFailover" : "unplannedFailover"} ${nameOf(target)}`);
    this.failovers.push(options);
    return this.#begin(target, test ? "TestFailover" : "UnplannedFailover");
  }
  async beginCommit(target: SiteRecoveryTarget): Promise<SiteRecoveryOperation> {
    this.call(`failoverCommit ${nameOf(target)}`);
    return this.#begin(target, "CommitFailover");
  }
  async beginReprotect(target: SiteRecoveryTarget, direction: string): Promise<SiteRecoveryOperation> {
    this.call(`reProtect ${nameOf(target)} ${direction}`);
    return this.#begin(target, "ReverseReplication");
  }
  async beginTestFailoverCleanup(target: SiteRecoveryTarget): Promise<SiteRecoveryOperation> {
    this.call(`testFailoverCleanup ${nameOf(target)}`);
    return this.#begin(target, "TestFailoverCleanup");
  }

  async checkOperation(operation: SiteRecoveryOperation): Promise<OperationProgress> {
    this.call(`check ${operation.job.name}`);
    const job = this.jobs.get(operation.job.name);
    if (!job) throw new AzureError(`job ${operation.job.name} not found`, "NotFound", 404);
    if (job.state === "Failed") return { status: "failed", error: job.error! };
    return { status: job.state === "Succeeded" ? "succeeded" : "running" };
  }

  #begin(target: SiteRecoveryTarget, scenario: string): SiteRecoveryOperation {
    const name = this.startJob(nameOf(target), scenario);
    return {
      kind: `siteRecovery/${scenario}`,
      target: nameOf(target),
      resumeToken: name,
      job: { ...VAULT, name },
    };
  }

  #info(item: FakeItem): ProtectedItemInfo {
    const job = item.job ? this.jobs.get(item.job)! : undefined;
    return {
      ...VAULT,
      fabric: "weu",
      container: "weu-c",
      item: item.name,
      id: this.itemId(item.name),
      friendlyName: item.name,
      protectionState: item.state,
      protectionStateDescription: item.state,
      activeLocation: item.activeLocation,
      replicationHealth: "Normal",
      testFailoverState: item.state === "TestFailedOver" ? "TestFailoverCompleted" : "None",
      allowedOperations: job ? [] : [...ALLOWED[item.state]],
      ...(job ? { currentJob: { scenarioName: job.scenario, jobName: job.name } } : {}),
      a2a: {
        vmId: item.vmId,
        ...(item.rpoSeconds !== undefined ? { rpoSeconds: item.rpoSeconds } : {}),
        ...(item.testVmId ? { testVmId: item.testVmId } : {}),
      },
    };
  }
}

const nameOf = (target: SiteRecoveryTarget) => ("item" in target ? target.item : target.recoveryPlan);

/** The three gateways of one subscription, and helpers to lay out a deployment across them. */
export class FakeAzure {
  readonly dv: FakeDesktopVirtualization;
  readonly compute = new FakeCompute();
  readonly siteRecovery = new FakeSiteRecovery();

  constructor(dv = new FakeDesktopVirtualization()) {
    this.dv = dv;
  }

  get gateways(): AzureGateways {
    return {
      desktopVirtualization: this.dv,
      compute: this.compute,
      siteRecovery: this.siteRecovery,
    } as unknown as AzureGateways;
  }

  /** Every call sent to any of the gateways, reads included. */
  calls(): string[] {
    return [...this.dv.calls, ...this.compute.calls, ...this.siteRecovery.calls];
  }

  /** After an ASR failover: each session host runs on a replica of its VM in the secondary. */
  hostsOnReplicas(): void {
    for (const host of this.dv.hosts.values()) {
      const name = host.name.split(".")[0]!;
      host.vmResourceId = this.compute.addVm(`${name}-replica`, SECONDARY, "running").id;
    }
  }

  /** A session host of `where`'s pool with its VM there. */
  addSessionHost(
    name: string,
    where: typeof PRIMARY,
    power: PowerState,
    host: Partial<SessionHostInfo> = {},
  ): SessionHostInfo {
    const vm = this.compute.addVm(name, where, power);
    return this.dv.addHost(`${name}.contoso.local`, host.allowNewSession ?? true, {
      resourceGroup: where.resourceGroup,
      hostPool: where.hostPool,
      vmResourceId: vm.id,
      ...host,
    });
  }
}

/** Two users' hosts serving in the primary, two standby hosts deallocated and drained in the secondary. */
export function standbyDeployment(): FakeAzure {
  const azure = new FakeAzure();
  for (const name of ["vm-a", "vm-b"]) azure.addSessionHost(name, PRIMARY, "running");
  for (const name of ["sb-a", "sb-b"])
    azure.addSessionHost(name, SECONDARY, "deallocated", { status: "Shutdown", allowNewSession: false });
  azure.dv.publish(PRIMARY.resourceGroup, PRIMARY.hostPool);
  azure.dv.publish(SECONDARY.resourceGroup, SECONDARY.hostPool);
  return azure;
}

/** The standby hosts' agents report these statuses, in order (one status: all of them). */
export function standbyHostsReport(azure: FakeAzure, ...statuses: string[]): void {
  const standby = [...azure.dv.hosts.values()].filter((h) => h.hostPool === SECONDARY.hostPool);
  standby.forEach((host, i) => {
    host.status = statuses[i] ?? statuses[0]!;
  });
}

/** `count` session hosts in the primary pool, each VM replicated by an item Protected in the vault. */
export function siteRecoveryDeployment(count = 2): FakeAzure {
  const azure = new FakeAzure();
  for (let i = 0; i < count; i++) {
    const host = azure.addSessionHost(`vm-${i}`, PRIMARY, "running");
    azure.siteRecovery.addItem(host.vmResourceId!);
  }
  azure.dv.publish(PRIMARY.resourceGroup, PRIMARY.hostPool);
  return azure;
}

/** The plan's strategy is SiteRecovery, replicated by the fake vault. */
export const siteRecovery = (p: AvdDisasterRecoveryPlan): void => {
  p.spec.strategy = "SiteRecovery";
  p.spec.secondary.hostPools = p.spec.primary.hostPools;
  p.spec.siteRecovery = { vaultName: VAULT.vault, vaultResourceGroup: VAULT.resourceGroup };
};

/** Plan contoso over the fake pools (StandbyHostPool unless `customise` says otherwise). */
export function fakePlan(customise?: (p: AvdDisasterRecoveryPlan) => void): AvdDisasterRecoveryPlan {
  const p = plan("contoso", PRIMARY.hostPool);
  p.metadata = { name: "contoso", namespace: "ns", creationTimestamp: new Date("2026-11-01T00:00:00Z") };
  p.spec.primary.resourceGroup = PRIMARY.resourceGroup;
  p.spec.secondary.resourceGroup = SECONDARY.resourceGroup;
  p.spec.drain = { gracePeriod: "10m", logOffPolicy: "Force" };
  customise?.(p);
  return p;
}

/** FailoverRequest to-neu of plan contoso: a planned failover to the secondary unless `spec` says otherwise. */
export function fakeRequest(spec: Partial<FailoverRequestSpec> = {}): FailoverRequest {
  const request = failover("to-neu", "contoso");
  request.metadata.namespace = "ns";
  request.spec = { ...request.spec, ...spec };
  return request;
}

export interface FakeScope extends FailoverScope {
  clock: TestClock;
  events: { record(event: EventInput): void; recorded: EventInput[] };
}

/**
 * One reconcile's scope over the fakes: a failover from Primary to Secondary in `phase`
 * (Draining by default, started at the clock's now) unless `status` is given.
 */
export function fakeScope(
  azure: FakeAzure | FakeDesktopVirtualization,
  options: {
    spec?: Partial<FailoverRequestSpec>;
    plan?: (p: AvdDisasterRecoveryPlan) => void;
    status?: FailoverRequestStatus;
    phase?: FailoverPhase;
    clock?: TestClock;
  } = {},
): FakeScope {
  const { gateways } = azure instanceof FakeAzure ? azure : new FakeAzure(azure);
  const p = fakePlan(options.plan);
  const request = fakeRequest(options.spec);
  const clock = options.clock ?? new TestClock();
  const recorded: EventInput[] = [];
  const phase = options.phase ?? "Draining";
  const status: FailoverRequestStatus = options.status ?? {
    phase,
    phases: [{ phase, startTime: metav1Time(clock.now()) }],
  };
  return {
    request,
    plan: p,
    gateways,
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
    ...azureReads(p, gateways),
  };
}
