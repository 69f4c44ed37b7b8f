// The emulated subscription's resources and the rules that tie them together: VM power
// transitions that take time, session hosts whose status follows their VM, user sessions
// that end when their host goes down. Providers read and change the world only through
// this module; it knows nothing about HTTP.
import { randomUUID } from "node:crypto";
import type { Timeline } from "./clock.ts";
import { defaultDurations, type Topology, type TopologyDurations, vmReference } from "./topology.ts";

export type PowerState = "starting" | "running" | "stopping" | "stopped" | "deallocating" | "deallocated";

export interface VirtualMachine {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly vmId: string;
  readonly size: string;
  readonly tags: Record<string, string>;
  power: PowerState;
  /** Bumped on every power change so stale scheduled transitions can tell they lost. */
  powerEpoch: number;
  /** When its last power change finished (or it was created): the instance view's provisioning time. */
  provisionedAt: number;
  sessionHost?: SessionHost;
}

export interface HostPool {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly objectId: string;
  readonly hostPoolType: "Pooled" | "Personal";
  readonly loadBalancerType: string;
  readonly personalDesktopAssignmentType?: string;
  readonly maxSessionLimit: number;
  readonly friendlyName?: string;
  readonly sessionHosts: Map<string, SessionHost>;
}

export type SessionHostStatus = "Available" | "Unavailable" | "Shutdown";

export interface SessionHost {
  readonly id: string;
  /** The host's FQDN, its name under the pool. */
  readonly name: string;
  readonly pool: HostPool;
  readonly objectId: string;
  vm: VirtualMachine;
  allowNewSession: boolean;
  assignedUser?: string;
  /** The AVD agent has booted and reports in; false while the VM is not running. */
  agentReady: boolean;
  /** The last heartbeat before the agent went quiet; while it reports, heartbeats are live. */
  lastHeartBeat: number;
  statusTimestamp: number;
  readonly sessions: Map<string, UserSession>;
  nextSessionId: number;
}

export interface UserSession {
  readonly id: string;
  readonly host: SessionHost;
  readonly userPrincipalName: string;
  readonly objectId: string;
  state: "Active" | "Disconnected";
  readonly createTime: number;
}

export interface ApplicationGroup {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly objectId: string;
  readonly hostPool: HostPool;
  readonly applicationGroupType: string;
  workspace?: Workspace;
}

export interface Workspace {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly objectId: string;
  readonly applicationGroups: ApplicationGroup[];
}

export interface ResourceGroup {
  readonly id: string;
  readonly name: string;
  readonly location: string;
}

/** One listed resource, as Microsoft.Resources shows it. */
export interface GenericResource {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
}

const key = (id: string) => id.toLowerCase();

/** A VM to create: seeded from the topology, or a replica Site Recovery makes. */
export interface NewVirtualMachine {
  resourceGroup: string;
  name: string;
  location: string;
  size?: string;
  tags?: Record<string, string>;
  power: PowerState;
}

export class World {
  readonly subscriptionId: string;
  /** Session host FQDN = <vm>.<domain>. */
  readonly domain: string;
  readonly durations: TopologyDurations;
  readonly timeline: Timeline;
  readonly resourceGroups = new Map<string, ResourceGroup>();
  readonly virtualMachines = new Map<string, VirtualMachine>();
  readonly hostPools = new Map<string, HostPool>();
  readonly applicationGroups = new Map<string, ApplicationGroup>();
  readonly workspaces = new Map<string, Workspace>();
  /** Resources of other providers (a Recovery Services vault) that the resource list shows. */
  readonly otherResources = new Map<string, GenericResource & { resourceGroup: string }>();
  /** Whether a region cannot be reached (a fault): its VMs' agents do not report. */
  readonly #unreachable: (location: string) => boolean;

  constructor(
    topology: Topology,
    timeline: Timeline,
    unreachable: (location: string) => boolean = () => false,
  ) {
    this.subscriptionId = topology.subscriptionId;
    this.domain = topology.domain ?? "contoso.local";
    this.durations = { ...defaultDurations, ...topology.durations };
    this.timeline = timeline;
    this.#unreachable = unreachable;
    this.#seed(topology);
  }

  // ---- lookups (ids are case-insensitive, as in ARM) ----

  resourceGroupId(rg: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${rg}`;
  }

  resourceGroup(name: string): ResourceGroup | undefined {
    return this.resourceGroups.get(key(name));
  }

  virtualMachine(rg: string, name: string): VirtualMachine | undefined {
    return this.virtualMachines.get(
      key(`${this.resourceGroupId(rg)}/providers/Microsoft.Compute/virtualMachines/${name}`),
    );
  }

  hostPool(rg: string, name: string): HostPool | undefined {
    return this.hostPools.get(key(this.#dvId(rg, "hostPools", name)));
  }

  sessionHost(pool: HostPool, name: string): SessionHost | undefined {
    return pool.sessionHosts.get(key(name));
  }

  applicationGroup(rg: string, name: string): ApplicationGroup | undefined {
    return this.applicationGroups.get(key(this.#dvId(rg, "applicationGroups", name)));
  }

  workspace(rg: string, name: string): Workspace | undefined {
    return this.workspaces.get(key(this.#dvId(rg, "workspaces", name)));
  }

  inResourceGroup<T extends { resourceGroup: string }>(items: Map<string, T>, rg: string): T[] {
    const wanted = key(rg);
    return [...items.values()].filter((item) => key(item.resourceGroup) === wanted);
  }

  /** Every resource of the subscription (or one resource group), as Microsoft.Resources lists them. */
  resources(rg?: string): GenericResource[] {
    const all: GenericResource[] = [];
    const add = (
      items: Iterable<{ id: string; name: string; location: string; resourceGroup: string }>,
      type: string,
    ) => {
      for (const item of items) {
        if (rg === undefined || key(item.resourceGroup) === key(rg)) {
          all.push({ id: item.id, name: item.name, type, location: item.location });
        }
      }
    };
    add(this.virtualMachines.values(), "Microsoft.Compute/virtualMachines");
    add(this.hostPools.values(), "Microsoft.DesktopVirtualization/hostpools");
    add(this.applicationGroups.values(), "Microsoft.DesktopVirtualization/applicationgroups");
    add(this.workspaces.values(), "Microsoft.DesktopVirtualization/workspaces");
    for (const r of this.otherResources.values()) {
      if (rg === undefined || key(r.resourceGroup) === key(rg))
        all.push({ id: r.id, name: r.name, type: r.type, location: r.location });
    }
    return all;
  }

  // ---- session host status: derived from the VM and its agent, never stored ----

  status(host: SessionHost): SessionHostStatus {
    const power = host.vm.power;
    if (this.#unreachable(host.vm.location)) return "Unavailable";
    if (power === "stopped" || power === "deallocated") return "Shutdown";
    if (power === "running" && host.agentReady) return "Available";
    return "Unavailable";
  }

  // ---- compute: power transitions that take simulated time ----

  /** Starts a VM; returns the simulated instant at which it is running. */
  startVm(vm: VirtualMachine): number {
    if (vm.power === "running" || vm.power === "starting") return this.#settledAt(vm);
    return this.#transition(vm, "starting", "running", this.durations.vmStart);
  }

  deallocateVm(vm: VirtualMachine): number {
    if (vm.power === "deallocated" || vm.power === "deallocating") return this.#settledAt(vm);
    return this.#transition(vm, "deallocating", "deallocated", this.durations.vmDeallocate);
  }

  powerOffVm(vm: VirtualMachine): number {
    if (vm.power === "stopped" || vm.power === "stopping" || vm.power === "deallocated")
      return this.#settledAt(vm);
    return this.#transition(vm, "stopping", "stopped", this.durations.vmPowerOff);
  }

  // ---- VMs that come and go (Site Recovery's replicas and test VMs) ----

  addVirtualMachine(spec: NewVirtualMachine): VirtualMachine {
    const id = `${this.resourceGroupId(spec.resourceGroup)}/providers/Microsoft.Compute/virtualMachines/${spec.name}`;
    const vm: VirtualMachine = {
      id,
      name: spec.name,
      resourceGroup: spec.resourceGroup,
      location: spec.location,
      vmId: randomUUID(),
      size: spec.size ?? "Standard_D4s_v5",
      tags: spec.tags ?? {},
      power: spec.power,
      powerEpoch: 0,
      provisionedAt: this.timeline.now(),
    };
    this.virtualMachines.set(key(id), vm);
    return vm;
  }

  removeVirtualMachine(vm: VirtualMachine): void {
    vm.powerEpoch++;
    this.virtualMachines.delete(key(vm.id));
  }

  /** The session host now runs on another VM (a failed-over replica): same registration, no sessions. */
  moveSessionHost(from: VirtualMachine, to: VirtualMachine): void {
    const host = from.sessionHost;
    if (!host) return;
    from.sessionHost = undefined;
    to.sessionHost = host;
    host.vm = to;
    if (host.agentReady) host.lastHeartBeat = this.timeline.now();
    host.agentReady = false;
    host.sessions.clear();
    host.statusTimestamp = this.timeline.now();
  }

  readonly #settles = new WeakMap<VirtualMachine, number>();

  #settledAt(vm: VirtualMachine): number {
    return this.#settles.get(vm) ?? this.timeline.now();
  }

  #transition(vm: VirtualMachine, during: PowerState, after: PowerState, seconds: number): number {
    const epoch = ++vm.powerEpoch;
    this.#setPower(vm, during);
    const at = this.timeline.now() + seconds * 1000;
    this.#settles.set(vm, at);
    this.timeline.at(at, () => {
      if (vm.powerEpoch !== epoch) return;
      vm.provisionedAt = at;
      this.#setPower(vm, after);
    });
    return at;
  }

  #setPower(vm: VirtualMachine, power: PowerState): void {
    vm.power = power;
    const host = vm.sessionHost;
    if (!host) return;
    const now = this.timeline.now();
    host.statusTimestamp = now;
    if (power !== "running") {
      // The agent stops reporting and every user on the host loses the session.
      if (host.agentReady) host.lastHeartBeat = now;
      host.agentReady = false;
      host.sessions.clear();
      return;
    }
    const epoch = vm.powerEpoch;
    this.timeline.at(now + this.durations.agentBoot * 1000, () => {
      if (vm.powerEpoch !== epoch || vm.power !== "running") return;
      host.agentReady = true;
      host.statusTimestamp = this.timeline.now();
    });
  }

  // ---- session hosts ----

  /** A VM joins a pool as a session host, as the AVD agent does when it registers with a token. */
  addSessionHost(
    pool: HostPool,
    vm: VirtualMachine,
    options: { allowNewSession?: boolean; assignedUser?: string } = {},
  ): SessionHost {
    const now = this.timeline.now();
    const name = `${vm.name}.${this.domain}`;
    const host: SessionHost = {
      id: `${pool.id}/sessionHosts/${name}`,
      name,
      pool,
      objectId: randomUUID(),
      vm,
      allowNewSession: options.allowNewSession ?? true,
      ...(options.assignedUser ? { assignedUser: options.assignedUser } : {}),
      agentReady: vm.power === "running",
      lastHeartBeat: now,
      statusTimestamp: now,
      sessions: new Map(),
      nextSessionId: 1,
    };
    vm.sessionHost = host;
    pool.sessionHosts.set(key(name), host);
    return host;
  }

  // ---- user sessions ----

  /** Signs a user in on a host, as the AVD broker would after a connection. */
  connect(host: SessionHost, userPrincipalName: string, state: UserSession["state"] = "Active"): UserSession {
    const id = String(host.nextSessionId++);
    const session: UserSession = {
      id,
      host,
      userPrincipalName,
      objectId: randomUUID(),
      state,
      createTime: this.timeline.now(),
    };
    host.sessions.set(id, session);
    return session;
  }

  /** Where the broker would put a new connection: a host that is Available and accepts sessions. */
  placeSession(pool: HostPool, userPrincipalName: string): SessionHost | undefined {
    const candidates = [...pool.sessionHosts.values()].filter(
      (h) => this.status(h) === "Available" && h.allowNewSession && h.sessions.size < pool.maxSessionLimit,
    );
    if (pool.hostPoolType === "Personal") {
      const user = userPrincipalName.toLowerCase();
      const assigned = candidates.find((h) => h.assignedUser?.toLowerCase() === user);
      if (assigned || pool.personalDesktopAssignmentType === "Direct") return assigned;
      // Automatic assignment: the user's first connection claims a free personal host.
      const free = candidates.find((h) => h.assignedUser === undefined);
      if (free) free.assignedUser = userPrincipalName;
      return free;
    }
    candidates.sort((a, b) =>
      pool.loadBalancerType === "DepthFirst"
        ? b.sessions.size - a.sessions.size
        : a.sessions.size - b.sessions.size,
    );
    return candidates[0];
  }

  // ---- seeding ----

  #dvId(rg: string, type: string, name: string): string {
    return `${this.resourceGroupId(rg)}/providers/Microsoft.DesktopVirtualization/${type}/${name}`;
  }

  #seed(topology: Topology): void {
    for (const rg of topology.resourceGroups) {
      this.resourceGroups.set(key(rg.name), {
        id: this.resourceGroupId(rg.name),
        name: rg.name,
        location: rg.location,
      });
      for (const vm of rg.virtualMachines ?? []) {
        this.addVirtualMachine({
          resourceGroup: rg.name,
          name: vm.name,
          location: rg.location,
          ...(vm.size ? { size: vm.size } : {}),
          ...(vm.tags ? { tags: vm.tags } : {}),
          power: vm.powerState ?? "running",
        });
      }
    }
    for (const rg of topology.resourceGroups) {
      for (const p of rg.hostPools ?? []) {
        const pool: HostPool = {
          id: this.#dvId(rg.name, "hostPools", p.name),
          name: p.name,
          resourceGroup: rg.name,
          location: rg.location,
          objectId: randomUUID(),
          hostPoolType: p.hostPoolType,
          loadBalancerType:
            p.loadBalancerType ?? (p.hostPoolType === "Personal" ? "Persistent" : "BreadthFirst"),
          ...(p.personalDesktopAssignmentType
            ? { personalDesktopAssignmentType: p.personalDesktopAssignmentType }
            : {}),
          maxSessionLimit: p.maxSessionLimit ?? (p.hostPoolType === "Personal" ? 1 : 10),
          ...(p.friendlyName ? { friendlyName: p.friendlyName } : {}),
          sessionHosts: new Map(),
        };
        this.hostPools.set(key(pool.id), pool);
        for (const h of p.sessionHosts ?? []) {
          const [vmRg, vmName] = vmReference(rg.name, h.vm).split("/") as [string, string];
          const vm = this.virtualMachine(vmRg, vmName)!;
          const host = this.addSessionHost(pool, vm, {
            allowNewSession: h.allowNewSession ?? true,
            ...(h.assignedUser ? { assignedUser: h.assignedUser } : {}),
          });
          if (vm.power === "running") for (const s of h.sessions ?? []) this.connect(host, s.user, s.state);
        }
      }
      const groups = new Map<string, ApplicationGroup>();
      for (const g of rg.applicationGroups ?? []) {
        const group: ApplicationGroup = {
          id: this.#dvId(rg.name, "applicationGroups", g.name),
          name: g.name,
          resourceGroup: rg.name,
          location: rg.location,
          objectId: randomUUID(),
          hostPool: this.hostPool(rg.name, g.hostPool)!,
          applicationGroupType: g.applicationGroupType ?? "Desktop",
        };
        groups.set(key(g.name), group);
        this.applicationGroups.set(key(group.id), group);
      }
      for (const w of rg.workspaces ?? []) {
        const workspace: Workspace = {
          id: this.#dvId(rg.name, "workspaces", w.name),
          name: w.name,
          resourceGroup: rg.name,
          location: rg.location,
          objectId: randomUUID(),
          applicationGroups: (w.applicationGroups ?? []).map((n) => groups.get(key(n))!),
        };
        for (const g of workspace.applicationGroups) g.workspace = workspace;
        this.workspaces.set(key(workspace.id), workspace);
      }
    }
  }
}
