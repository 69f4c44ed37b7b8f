// Azure-to-Azure Site Recovery as the emulator holds it: vaults with a fabric and a
// protection container per region, their replication policy and container mappings,
// protected items that replicate a VM, recovery plans, and the state machine of failover,
// commit, reprotect and test failover. Every action checks the item's allowed operations
// first and refuses with ASR's error otherwise; its effects (the replica VM created and
// started, the session host moving to it) happen as the tasks of a job on the timeline.
import { ArmError } from "../http.ts";
import type { SimContext } from "../provider.ts";
import type { VirtualMachine, World } from "../world.ts";
import { type Job, type JobError, startJob, type TaskPlan, type TaskType } from "./jobs.ts";
import { type ContainerMapping, findMapping, type ReplicationPolicy } from "./policies.ts";
import { pointId, renderItem, renderPlan } from "./render.ts";
import {
  allowedOperations,
  ProtectionState,
  protectionStateDescription,
  TestFailoverState,
} from "./states.ts";
import {
  defaultSiteRecoveryDurations,
  type SiteRecoveryDurations,
  type SiteRecoveryTopology,
} from "./topology.ts";
import { seedVault } from "./vaults.ts";

export type ActiveLocation = "Primary" | "Recovery";

export interface Fabric {
  readonly name: string;
  readonly id: string;
  readonly location: string;
  readonly container: Container;
}

export interface Container {
  readonly name: string;
  readonly id: string;
  readonly fabric: Fabric;
}

export interface ProtectedItem {
  readonly name: string;
  /** Changes with the container: a reprotect moves the item to the container of the side it now replicates from. */
  id: string;
  readonly vault: Vault;
  container: Container;
  policy: ReplicationPolicy;
  /** The VM in the primary region, and its counterpart in the recovery region once created. */
  readonly primaryVm: VirtualMachine;
  recoveryVm?: VirtualMachine;
  testVm?: VirtualMachine;
  /** Where the next failover lands: the replica's group, after a reprotect the original VM's. */
  recoveryResourceGroup: string;
  protectionState: ProtectionState;
  activeLocation: ActiveLocation;
  testFailoverState: TestFailoverState;
  /** The running job and what it does; undefined when idle. */
  scenario?: { name: string; job: Job };
  /** When the current replication (initial or after reprotect) finished; undefined while it runs. */
  replicatingSince?: number;
  replicationStartedAt: number;
  lastSuccessfulFailoverTime?: number;
  lastSuccessfulTestFailoverTime?: number;
  failoverRecoveryPointTime?: number;
}

export interface RecoveryPlan {
  readonly name: string;
  readonly id: string;
  readonly vault: Vault;
  readonly groups: ProtectedItem[][];
  /** The last job run on the plan: the service keeps showing it, with its state, once it ended. */
  scenario?: { name: string; job: Job };
  lastUnplannedFailoverTime?: number;
  lastTestFailoverTime?: number;
}

export interface Vault {
  readonly name: string;
  readonly id: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly primary: Fabric;
  readonly recovery: Fabric;
  readonly recoveryResourceGroup: string;
  readonly recoveryNetworkId: string;
  readonly policies: Map<string, ReplicationPolicy>;
  readonly mappings: ContainerMapping[];
  readonly items: Map<string, ProtectedItem>;
  readonly plans: Map<string, RecoveryPlan>;
  readonly jobs: Map<string, Job>;
}

export interface ActionInput {
  direction: "PrimaryToRecovery" | "RecoveryToPrimary";
  /** Required: shut the source VM down first (a planned failover); NotRequired otherwise. */
  shutdownSource: boolean;
  /** For a test failover: the network the test VMs join. */
  networkId?: string;
  /** Latest, LatestProcessed, LatestCrashConsistent, LatestApplicationConsistent, or a recovery point's id. */
  recoveryPoint: string;
  /** A reprotect's A2A input: the mapping it goes through and where a failover would land next. */
  reprotect?: { recoveryContainerId: string; policyId: string; recoveryResourceGroup?: string };
}

/** Enabling protection: the policy, and optionally the target container and resource group. */
export interface EnableInput {
  policyId: string;
  recoveryContainerId?: string;
  recoveryResourceGroup?: string;
}

export interface RecoveryPoint {
  time: number;
  type: "CrashConsistent" | "ApplicationConsistent";
}

/** The hooks into faults that Site Recovery needs. */
export interface SiteRecoveryFaults {
  /** Why the failover of this VM fails, if it is set to. */
  failoverFailure(vmId: string): JobError | undefined;
  /** Whether a job of this scenario fails, and at which task. */
  jobFailure(scenarioName: string): { afterTasks: number; error: JobError } | undefined;
  /** Since when a region has been down (simulated ms), if it is. */
  regionDownSince(location: string): number | undefined;
}

/** ASR's refusal: 400 with a code, what is wrong and what to do. */
const refuse = (code: string, message: string, recommendedAction: string) =>
  new ArmError(400, code, `${message} ${recommendedAction}`);

export type ItemAction =
  | "UnplannedFailover"
  | "Commit"
  | "ReverseReplicate"
  | "TestFailover"
  | "TestFailoverCleanup";

/** The job's scenarioName, the same for an item's job and a recovery plan's. */
const scenarioOf: Record<ItemAction, string> = {
  UnplannedFailover: "UnplannedFailover",
  Commit: "CommitFailover",
  ReverseReplicate: "ReverseReplication",
  TestFailover: "TestFailover",
  TestFailoverCleanup: "TestFailoverCleanup",
};

const friendlyOf: Record<ItemAction, string> = {
  UnplannedFailover: "Failover",
  Commit: "Commit",
  ReverseReplicate: "Reprotect",
  TestFailover: "Test failover",
  TestFailoverCleanup: "Test failover cleanup",
};

interface Lifecycle {
  tasks: TaskPlan[];
  starting: () => void;
  finish: (ok: boolean) => void;
  failed: { error?: JobError };
}

/** What a failover job reports per item (FailoverJobDetails.protectedItemDetails). */
type FailedOverItem = Record<string, unknown>;

/** The most crash-consistent recovery points listed; A2A makes one every few minutes. */
const listedCrashPoints = 12;

export class SiteRecovery {
  readonly vaults = new Map<string, Vault>();
  readonly durations: SiteRecoveryDurations;
  readonly #ctx: SimContext;
  readonly #world: World;
  readonly #faults: SiteRecoveryFaults;

  constructor(ctx: SimContext, topology: SiteRecoveryTopology | undefined, faults: SiteRecoveryFaults) {
    this.#ctx = ctx;
    this.#world = ctx.world;
    this.#faults = faults;
    this.durations = { ...defaultSiteRecoveryDurations, ...topology?.durations };
    for (const v of topology?.vaults ?? []) {
      const vault = seedVault(this.#world, v, (vault, ref, policy) => {
        const [rg, name] = ref.split("/") as [string, string];
        const vm = this.#world.virtualMachine(rg, name)!;
        return this.#addItem(vault, vm.name, vm, policy, vault.recoveryResourceGroup, true);
      });
      this.vaults.set(`${v.resourceGroup}/${v.name}`.toLowerCase(), vault);
    }
  }

  vault(resourceGroup: string, name: string): Vault | undefined {
    return this.vaults.get(`${resourceGroup}/${name}`.toLowerCase());
  }

  // ---- replication over time ----

  /** Seconds of data the recovery side lacks; it grows without bound while the source region is down. */
  rpoSeconds(item: ProtectedItem): number | undefined {
    if (item.replicatingSince === undefined) return undefined;
    const lastSync = this.lastSync(item);
    return Math.round((this.#ctx.timeline.now() - lastSync) / 1000);
  }

  /** The instant of the last replication cycle that reached the recovery side. */
  lastSync(item: ProtectedItem): number {
    const since = item.replicatingSince ?? item.replicationStartedAt;
    const source = item.activeLocation === "Primary" ? item.vault.primary : item.vault.recovery;
    const down = this.#faults.regionDownSince(source.location);
    const now = Math.min(this.#ctx.timeline.now(), down ?? Number.POSITIVE_INFINITY);
    const cycle = this.durations.replicationCycle * 1000;
    if (cycle === 0 || now <= since) return Math.max(since, Math.min(now, this.#ctx.timeline.now()));
    return since + Math.floor((now - since) / cycle) * cycle;
  }

  /**
   * Recovery points, newest first: the newest crash-consistent ones (one every
   * recoveryPointInterval), and the app-consistent ones the policy asks for within its history.
   */
  recoveryPoints(item: ProtectedItem): RecoveryPoint[] {
    const since = item.replicatingSince;
    if (since === undefined) return [];
    const last = this.lastSync(item);
    const every = (ms: number, limit: (t: number, n: number) => boolean) => {
      const times: number[] = [];
      if (ms === 0) return [last];
      for (
        let t = since + Math.floor((last - since) / ms) * ms;
        t >= since && limit(t, times.length);
        t -= ms
      )
        times.push(t);
      return times;
    };
    const { appConsistentFrequencyMinutes, recoveryPointHistoryMinutes } = item.policy;
    const app = new Set(
      appConsistentFrequencyMinutes === 0
        ? []
        : every(
            appConsistentFrequencyMinutes * 60_000,
            (t) => t >= last - recoveryPointHistoryMinutes * 60_000,
          ),
    );
    const crash = every(this.durations.recoveryPointInterval * 1000, (_t, n) => n < listedCrashPoints);
    return [...new Set([...crash, ...app])]
      .sort((a, b) => b - a)
      .map((time) => ({ time, type: app.has(time) ? "ApplicationConsistent" : "CrashConsistent" }));
  }

  replicationHealth(item: ProtectedItem): "Normal" | "Warning" | "Critical" {
    const rpo = this.rpoSeconds(item);
    if (rpo === undefined) return "Normal";
    if (rpo > 1800) return "Critical";
    return rpo > 900 ? "Warning" : "Normal";
  }

  /** How far the running replication (initial or after reprotect) has come, in percent. */
  replicationProgress(item: ProtectedItem): number | undefined {
    const reprotecting = item.protectionState === ProtectionState.reprotecting;
    if (item.protectionState !== ProtectionState.enabling && !reprotecting) return undefined;
    const seconds = reprotecting ? this.durations.reprotect : this.durations.initialReplication;
    if (seconds === 0) return 100;
    const elapsed = (this.#ctx.timeline.now() - item.replicationStartedAt) / 1000;
    return Math.min(99, Math.floor((elapsed / seconds) * 100));
  }

  // ---- enable protection ----

  /** A new protected item whose initial replication runs as a job. */
  enableProtection(vault: Vault, name: string, vm: VirtualMachine, input: EnableInput): Job {
    for (const other of vault.items.values()) {
      if (other.primaryVm === vm)
        throw refuse(
          "ProtectionAlreadyEnabled",
          `The virtual machine ${vm.name} is already protected as ${other.name}.`,
          "Use the existing protected item, or disable its protection first.",
        );
    }
    if (vm.location !== vault.primary.location)
      throw refuse(
        "InvalidSourceRegion",
        `The virtual machine ${vm.name} is in ${vm.location}; this vault protects VMs of ${vault.primary.location}.`,
        "Enable replication from a vault whose primary region is the VM's region.",
      );
    const policy = this.#policy(vault, input.policyId);
    const source = vault.primary.container;
    const mapping = input.recoveryContainerId
      ? findMapping(vault.mappings, source, input.recoveryContainerId, policy.id)
      : vault.mappings.find((m) => m.source === source && m.policy === policy);
    if (!mapping) throw noMapping(source, input.recoveryContainerId, policy);
    const recoveryResourceGroup = input.recoveryResourceGroup ?? vault.recoveryResourceGroup;
    this.#checkTargetGroup(recoveryResourceGroup, mapping.target.fabric.location, "recoveryResourceGroupId");
    const item = this.#addItem(vault, name, vm, policy, recoveryResourceGroup, false);
    const prerequisites = this.durations.prerequisites;
    return this.#run(item, "EnableDr", "Enable replication", [
      task("EnableProtectionPrereqCheck", "Prerequisites check for enabling protection", prerequisites),
      task("IdentifyTargetResources", "Identify the replication target", prerequisites),
      task("EnableProtectionTask", "Initial replication", this.durations.initialReplication, {
        end: () => {
          item.protectionState = ProtectionState.protected;
          item.replicatingSince = this.#ctx.timeline.now();
          return undefined;
        },
      }),
    ]);
  }

  // ---- the state machine ----

  /** One item's failover, commit, reprotect, test failover or cleanup, as a job of its own. */
  act(item: ProtectedItem, action: ItemAction, input: ActionInput): Job {
    this.#checkAction(item, action, input);
    const failedOver: FailedOverItem[] = [];
    const lifecycle = this.#itemLifecycle(item, action, input, failedOver);
    lifecycle.starting();
    const job = this.#run(item, scenarioOf[action], friendlyOf[action], lifecycle.tasks, lifecycle.finish);
    if (action === "UnplannedFailover") job.details = failoverDetails(failedOver);
    // A2A's reprotect switches protection to a new item in the other container.
    if (action === "ReverseReplicate")
      job.details = { instanceType: "SwitchProtectionJobDetails", newReplicationProtectedItemId: item.id };
    return job;
  }

  // ---- recovery plans: each action on every item, group after group ----

  planAction(plan: RecoveryPlan, action: ItemAction, input: ActionInput): Job {
    if (plan.scenario?.job.state === "InProgress")
      throw refuse(
        "RecoveryPlanOperationInProgress",
        `Recovery plan ${plan.name} is running job ${plan.scenario.job.name} (${plan.scenario.name}).`,
        "Wait for that job to finish, then retry.",
      );
    const items = plan.groups.flat();
    for (const item of items) this.#checkAction(item, action, input);
    const scenario = scenarioOf[action];
    const failedOver: FailedOverItem[] = [];
    // One task per group: its items' steps run side by side; the group lasts as long as its slowest item.
    const tasks: TaskPlan[] = plan.groups.map((group, g) => {
      const lifecycles = group.map((item) => this.#itemLifecycle(item, action, input, failedOver));
      // A millisecond past the slowest item, so that every item's last step has run when the group ends.
      const seconds = Math.max(...lifecycles.map((l) => l.tasks.reduce((s, t) => s + t.seconds, 0))) + 0.001;
      return {
        name: `Group${g + 1}`,
        friendlyName: `Group ${g + 1}: ${friendlyOf[action]}`,
        type: "RecoveryPlanGroupTaskDetails",
        seconds,
        begin: () => {
          for (const l of lifecycles) {
            l.starting();
            this.#runSteps(l);
          }
          return undefined;
        },
        end: () => lifecycles.map((l) => l.failed.error).find((e) => e !== undefined),
      };
    });
    const job = startJob(this.#ctx.timeline, this.#ctx.operations, {
      vaultId: plan.vault.id,
      location: plan.vault.location,
      scenarioName: scenario,
      friendlyName: `${friendlyOf[action]} of recovery plan ${plan.name}`,
      target: { id: plan.id, name: plan.name, instanceType: "RecoveryPlan" },
      tasks,
      ...this.#jobFault(scenario, tasks.length),
      finish: (ok) => {
        for (const item of items) if (item.scenario?.job === job) item.scenario = undefined;
        if (ok && action === "UnplannedFailover") plan.lastUnplannedFailoverTime = this.#ctx.timeline.now();
        if (ok && action === "TestFailover") plan.lastTestFailoverTime = this.#ctx.timeline.now();
      },
      result: () => renderPlan(plan),
    });
    if (action === "UnplannedFailover") job.details = failoverDetails(failedOver);
    plan.scenario = { name: scenario, job };
    for (const item of items) item.scenario = { name: scenario, job };
    plan.vault.jobs.set(job.name.toLowerCase(), job);
    return job;
  }

  // ---- internals ----

  #failoverTasks(item: ProtectedItem, input: ActionInput, failedOver: FailedOverItem[]): TaskPlan[] {
    const source = this.#source(item);
    const shutdown = "ShutdownPrimaryVm";
    const shutdownName = "Shut down the virtual machine";
    const tasks: TaskPlan[] = [
      input.shutdownSource
        ? task(shutdown, shutdownName, this.#world.durations.vmPowerOff, {
            begin: () => {
              if (this.#faults.regionDownSince(source.location) !== undefined)
                return {
                  code: "SourceVmShutdownFailed",
                  message: `The virtual machine ${source.name} could not be shut down: region ${source.location} is unreachable.`,
                  recommendedAction:
                    "Fail over with sourceSiteOperations NotRequired (an unplanned failover).",
                };
              this.#world.powerOffVm(source);
              return undefined;
            },
          })
        : { ...task(shutdown, shutdownName, 0), skippedReason: "sourceSiteOperations is NotRequired" },
    ];
    // The data the replica starts from: what had reached the recovery side when the failover began.
    let point: number | undefined;
    tasks.push(
      task("FailoverTask", "Start failover", this.durations.failover, {
        begin: () => {
          point = this.#pointFor(item, input.recoveryPoint);
          failedOver.push({
            name: item.name,
            friendlyName: item.primaryVm.name,
            recoveryPointId: pointId(item, point),
            recoveryPointTime: new Date(point).toISOString(),
          });
          return undefined;
        },
        end: () => {
          const failure = this.#faults.failoverFailure(item.primaryVm.id);
          if (failure) return failure;
          item.failoverRecoveryPointTime = point;
          return undefined;
        },
      }),
      task("StartReplicaVm", "Start the replica virtual machine", this.#world.durations.vmStart, {
        begin: () => {
          const target = this.#ensureTarget(item);
          // The AVD agent on the replica is the same registration: the session host moves to it.
          this.#world.moveSessionHost(source, target);
          this.#world.startVm(target);
          item.activeLocation = item.activeLocation === "Primary" ? "Recovery" : "Primary";
          item.replicatingSince = undefined;
          return undefined;
        },
      }),
    );
    return tasks;
  }

  /** Latest: the last sync; a recovery point's id: that point; otherwise the newest point of the kind asked for. */
  #pointFor(item: ProtectedItem, recoveryPoint: string): number {
    const latest = this.lastSync(item);
    if (recoveryPoint === "Latest") return latest;
    if (recoveryPoint.includes("/")) return Number(recoveryPoint.split("/").at(-1));
    const points = this.recoveryPoints(item);
    const wanted =
      recoveryPoint === "LatestApplicationConsistent"
        ? points.find((p) => p.type === "ApplicationConsistent")
        : points[0];
    return (wanted ?? points[0])?.time ?? latest;
  }

  /** The VM a failover lands on: the existing counterpart, or a new replica in the recovery group. */
  #ensureTarget(item: ProtectedItem): VirtualMachine {
    if (item.activeLocation === "Recovery") return item.primaryVm;
    if (!item.recoveryVm) {
      item.recoveryVm = this.#world.addVirtualMachine({
        resourceGroup: item.recoveryResourceGroup,
        name: item.primaryVm.name,
        location: item.vault.recovery.location,
        size: item.primaryVm.size,
        tags: { ...item.primaryVm.tags, "avd-dr-sim/replica-of": item.primaryVm.id },
        power: "deallocated",
      });
    }
    return item.recoveryVm;
  }

  /** The VM that runs now, on the active side. */
  #source(item: ProtectedItem): VirtualMachine {
    return item.activeLocation === "Primary" ? item.primaryVm : (item.recoveryVm ?? item.primaryVm);
  }

  /** The container of the region the VM runs in: where a reprotect replicates from. */
  #activeContainer(item: ProtectedItem): Container {
    return item.activeLocation === "Primary" ? item.vault.primary.container : item.vault.recovery.container;
  }

  #otherContainer(item: ProtectedItem): Container {
    return item.activeLocation === "Primary" ? item.vault.recovery.container : item.vault.primary.container;
  }

  #targetLocation(item: ProtectedItem): string {
    return this.#otherContainer(item).fabric.location;
  }

  #policy(vault: Vault, policyId: string): ReplicationPolicy {
    const policy = [...vault.policies.values()].find((p) => p.id.toLowerCase() === policyId.toLowerCase());
    if (!policy)
      throw refuse(
        "PolicyNotFound",
        `Replication policy ${policyId} does not exist in vault ${vault.name}.`,
        `Use one of the vault's replicationPolicies: ${[...vault.policies.values()].map((p) => p.id).join(", ")}.`,
      );
    return policy;
  }

  #checkTargetGroup(name: string, location: string, field: string): void {
    const group = this.#world.resourceGroup(name);
    if (!group || group.location !== location)
      throw refuse(
        "InvalidRecoveryResourceGroup",
        `The resource group ${name} (${field}) ${group ? `is in ${group.location}` : "does not exist"}; the replicas are created in ${location}.`,
        `Give the id of a resource group in ${location}.`,
      );
  }

  /** A reprotect's input as given, or for a recovery plan's items the reverse mapping and the original VM's group. */
  #reprotectInput(item: ProtectedItem, input: ActionInput): Required<NonNullable<ActionInput["reprotect"]>> {
    const other = item.activeLocation === "Recovery" ? item.primaryVm : item.recoveryVm;
    return {
      recoveryContainerId: input.reprotect?.recoveryContainerId ?? this.#otherContainer(item).id,
      policyId: input.reprotect?.policyId ?? item.policy.id,
      recoveryResourceGroup:
        input.reprotect?.recoveryResourceGroup ?? other?.resourceGroup ?? item.vault.recoveryResourceGroup,
    };
  }

  #checkAction(item: ProtectedItem, action: ItemAction, input: ActionInput): void {
    const what = friendlyOf[action].toLowerCase();
    if (item.scenario)
      throw refuse(
        "ProtectedItemOperationInProgress",
        `Protected item ${item.name} is running job ${item.scenario.job.name} (${item.scenario.name}); ${what} cannot start.`,
        "Wait for the job to finish, then retry.",
      );
    const allowed = allowedOperations(item);
    if (!allowed.includes(action))
      throw refuse(
        "OperationNotAllowedInCurrentState",
        `${friendlyOf[action]} is not allowed for protected item ${item.name} in state ${item.protectionState} (${protectionStateDescription(item)}); allowed operations: ${allowed.join(", ") || "none"}.`,
        hintFor(item),
      );
    if (action === "UnplannedFailover" || action === "TestFailover" || action === "ReverseReplicate") {
      // A failover leaves the active side; a reprotect replicates from it.
      const expected = item.activeLocation === "Primary" ? "PrimaryToRecovery" : "RecoveryToPrimary";
      if (input.direction !== expected)
        throw refuse(
          "InvalidFailoverDirection",
          `Protected item ${item.name} runs in the ${item.activeLocation.toLowerCase()} region, so ${what} must go ${expected}.`,
          `Set failoverDirection to ${expected}.`,
        );
    }
    if (action === "UnplannedFailover" && input.recoveryPoint.includes("/")) {
      const time = Number(input.recoveryPoint.split("/").at(-1));
      if (!this.recoveryPoints(item).some((p) => p.time === time))
        throw refuse(
          "RecoveryPointNotFound",
          `Recovery point ${input.recoveryPoint} is not one of protected item ${item.name}'s recovery points.`,
          "List the item's recoveryPoints and pick one, or leave recoveryPointId out for the latest.",
        );
    }
    if (action === "ReverseReplicate") {
      const reprotect = this.#reprotectInput(item, input);
      const source = this.#activeContainer(item);
      const policy = this.#policy(item.vault, reprotect.policyId);
      if (!findMapping(item.vault.mappings, source, reprotect.recoveryContainerId, policy.id))
        throw noMapping(source, reprotect.recoveryContainerId, policy);
      this.#checkTargetGroup(
        reprotect.recoveryResourceGroup,
        this.#targetLocation(item),
        "recoveryResourceGroupId",
      );
    }
  }

  /** The per-item pieces of an action: its tasks and what changes at start and at the end. */
  #itemLifecycle(
    item: ProtectedItem,
    action: ItemAction,
    input: ActionInput,
    failedOver: FailedOverItem[],
  ): Lifecycle {
    const now = () => this.#ctx.timeline.now();
    const prerequisites = task(
      "PrerequisitesCheck",
      `Prerequisites check for ${friendlyOf[action].toLowerCase()}`,
      this.durations.prerequisites,
    );
    const lifecycle = (
      tasks: TaskPlan[],
      starting: () => void,
      finish: (ok: boolean) => void,
    ): Lifecycle => ({ tasks: [prerequisites, ...tasks], starting, finish, failed: {} });
    switch (action) {
      case "UnplannedFailover":
        return lifecycle(
          this.#failoverTasks(item, input, failedOver),
          () => {
            item.protectionState = ProtectionState.failingOver;
          },
          (ok) => {
            item.protectionState = ok ? ProtectionState.failedOver : ProtectionState.failoverFailed;
            if (ok) item.lastSuccessfulFailoverTime = now();
          },
        );
      case "Commit":
        return lifecycle(
          [task("FailoverCommitTask", "Commit", this.durations.commit)],
          () => {
            item.protectionState = ProtectionState.committing;
          },
          (ok) => {
            item.protectionState = ok ? ProtectionState.committed : ProtectionState.failedOver;
          },
        );
      case "ReverseReplicate": {
        const reprotect = this.#reprotectInput(item, input);
        return lifecycle(
          [task("ReprotectTask", "Reverse replication and resynchronise", this.durations.reprotect)],
          () => {
            item.protectionState = ProtectionState.reprotecting;
            item.replicatingSince = undefined;
            item.replicationStartedAt = now();
            item.policy = this.#policy(item.vault, reprotect.policyId);
            item.recoveryResourceGroup = reprotect.recoveryResourceGroup;
            // As A2A switches protection, the item now lives in the container of the side it runs on.
            item.container = this.#activeContainer(item);
            item.id = `${item.container.id}/replicationProtectedItems/${item.name}`;
          },
          (ok) => {
            item.protectionState = ok ? ProtectionState.protected : ProtectionState.committed;
            if (ok) item.replicatingSince = now();
          },
        );
      }
      case "TestFailover": {
        const network = input.networkId ?? item.vault.recoveryNetworkId;
        return lifecycle(
          [
            task("TestFailoverTask", "Create test virtual machine", this.durations.failover, {
              end: () => this.#faults.failoverFailure(item.primaryVm.id),
            }),
            task("StartTestVm", "Start the virtual machine", this.#world.durations.vmStart, {
              begin: () => {
                const source = this.#source(item);
                item.testVm = this.#world.addVirtualMachine({
                  resourceGroup: item.recoveryResourceGroup,
                  name: `${source.name}-test`,
                  location: this.#targetLocation(item),
                  size: source.size,
                  tags: { "avd-dr-sim/test-failover-of": item.id, "avd-dr-sim/network": network },
                  power: "deallocated",
                });
                this.#world.startVm(item.testVm);
                return undefined;
              },
            }),
          ],
          () => {
            item.testFailoverState = TestFailoverState.running;
          },
          (ok) => {
            item.testFailoverState = ok ? TestFailoverState.completed : TestFailoverState.none;
            if (ok) item.lastSuccessfulTestFailoverTime = now();
          },
        );
      }
      case "TestFailoverCleanup":
        return lifecycle(
          [
            task(
              "TestFailoverCleanupTask",
              "Delete the test virtual machine",
              this.durations.testFailoverCleanup,
              {
                end: () => {
                  if (item.testVm) this.#world.removeVirtualMachine(item.testVm);
                  item.testVm = undefined;
                  return undefined;
                },
              },
            ),
          ],
          () => {
            item.testFailoverState = TestFailoverState.cleaningUp;
          },
          (ok) => {
            item.testFailoverState = ok ? TestFailoverState.none : TestFailoverState.completed;
          },
        );
    }
  }

  /** Runs one item's steps back to back on the timeline (inside a plan's group task). */
  #runSteps(l: Lifecycle): void {
    const timeline = this.#ctx.timeline;
    let at = timeline.now();
    const fail = (error: JobError | undefined) => {
      if (!error) return false;
      l.failed.error = error;
      l.finish(false);
      return true;
    };
    l.tasks.forEach((task, i) => {
      timeline.at(at, () => {
        if (!l.failed.error) fail(task.begin?.());
      });
      at += task.seconds * 1000;
      timeline.at(at, () => {
        if (!l.failed.error && !fail(task.end?.()) && i === l.tasks.length - 1) l.finish(true);
      });
    });
  }

  #jobFault(scenario: string, taskCount: number) {
    const fault = this.#faults.jobFailure(scenario);
    return fault
      ? { failAtTask: { index: Math.min(fault.afterTasks, taskCount - 1), error: fault.error } }
      : {};
  }

  #run(
    item: ProtectedItem,
    scenario: string,
    friendlyName: string,
    tasks: TaskPlan[],
    finish: (ok: boolean) => void = () => undefined,
  ): Job {
    const job = startJob(this.#ctx.timeline, this.#ctx.operations, {
      vaultId: item.vault.id,
      location: item.vault.location,
      scenarioName: scenario,
      friendlyName,
      target: { id: item.id, name: item.name, instanceType: "ProtectionEntity" },
      tasks,
      ...this.#jobFault(scenario, tasks.length),
      finish: (ok) => {
        item.scenario = undefined;
        finish(ok);
      },
      result: () => renderItem(this, item, this.#ctx.timeline.now()),
    });
    item.scenario = { name: scenario, job };
    item.vault.jobs.set(job.name.toLowerCase(), job);
    return job;
  }

  #addItem(
    vault: Vault,
    name: string,
    vm: VirtualMachine,
    policy: ReplicationPolicy,
    recoveryResourceGroup: string,
    protectedNow: boolean,
  ): ProtectedItem {
    const container = vault.primary.container;
    const now = this.#ctx.timeline.now();
    const item: ProtectedItem = {
      name,
      id: `${container.id}/replicationProtectedItems/${name}`,
      vault,
      container,
      policy,
      primaryVm: vm,
      recoveryResourceGroup,
      protectionState: protectedNow ? ProtectionState.protected : ProtectionState.enabling,
      activeLocation: "Primary",
      testFailoverState: TestFailoverState.none,
      replicationStartedAt: now,
      ...(protectedNow ? { replicatingSince: now - this.durations.initialReplication * 1000 } : {}),
    };
    vault.items.set(name.toLowerCase(), item);
    return item;
  }
}

function task(
  name: string,
  friendlyName: string,
  seconds: number,
  hooks: Pick<TaskPlan, "begin" | "end"> = {},
  type: TaskType = "VirtualMachineTaskDetails",
): TaskPlan {
  return { name, friendlyName, type, seconds, ...hooks };
}

function failoverDetails(protectedItemDetails: FailedOverItem[]): Job["details"] {
  return { instanceType: "FailoverJobDetails", affectedObjectDetails: {}, protectedItemDetails };
}

function noMapping(source: Container, targetId: string | undefined, policy: ReplicationPolicy): ArmError {
  const to = targetId ? ` to ${targetId}` : "";
  return refuse(
    "ProtectionContainerMappingNotFound",
    `No protection container mapping leaves ${source.id}${to} with policy ${policy.name}.`,
    "Use the target container and policy of one of the vault's replicationProtectionContainerMappings from that container, or create the mapping first.",
  );
}

function hintFor(item: ProtectedItem): string {
  switch (item.protectionState) {
    case ProtectionState.enabling:
      return "Wait for the initial replication to finish.";
    case ProtectionState.protected:
      return item.testFailoverState === TestFailoverState.none
        ? "Fail over first."
        : "Clean up the test failover first (testFailoverCleanup).";
    case ProtectionState.failedOver:
      return "Commit the failover (failoverCommit) first.";
    case ProtectionState.committed:
      return "Reprotect (reProtect) first.";
    case ProtectionState.failoverFailed:
      return "Retry the failover.";
    default:
      return "Wait for the running job to finish.";
  }
}
