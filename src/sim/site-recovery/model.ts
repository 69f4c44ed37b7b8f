// Azure-to-Azure Site Recovery as the emulator holds it: vaults with a fabric and a
// protection container per region, protected items that replicate a VM, recovery plans,
// and the state machine of failover, commit, reprotect and test failover. Every action
// checks the item's allowed operations first and refuses with ASR's error otherwise; its
// effects (the replica VM created and started, the session host moving to it) happen as
// the tasks of a job on the simulated timeline.
import { ArmError } from "../http.ts";
import type { SimContext } from "../provider.ts";
import type { VirtualMachine, World } from "../world.ts";
import { type Job, type JobError, startJob, type TaskPlan } from "./jobs.ts";
import { renderItem, renderPlan } from "./render.ts";
import { allowedOperations, describeState } from "./states.ts";
import {
  defaultSiteRecoveryDurations,
  type SiteRecoveryDurations,
  type SiteRecoveryTopology,
  type VaultTopology,
} from "./topology.ts";

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
  readonly policyId: string;
  /** The VM in the primary region, and its counterpart in the recovery region once created. */
  readonly primaryVm: VirtualMachine;
  recoveryVm?: VirtualMachine;
  testVm?: VirtualMachine;
  protectionState: string;
  activeLocation: ActiveLocation;
  testFailoverState: "None" | "TestFailoverInProgress" | "TestFailoverCompleted" | "MarkedForDeletion";
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
  readonly items: Map<string, ProtectedItem>;
  readonly plans: Map<string, RecoveryPlan>;
  readonly jobs: Map<string, Job>;
}

export interface FailoverInput {
  direction: "PrimaryToRecovery" | "RecoveryToPrimary";
  /** Required: shut the source VM down first (a planned failover); NotRequired otherwise. */
  shutdownSource: boolean;
  /** For a test failover: the network the test VMs join. */
  networkId?: string;
  /** Latest, LatestProcessed, LatestCrashConsistent, LatestApplicationConsistent, or a recovery point's id. */
  recoveryPoint: string;
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

const scenarioOf: Record<ItemAction, string> = {
  UnplannedFailover: "UnplannedFailover",
  Commit: "CommitFailover",
  ReverseReplicate: "Reprotect",
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
    for (const v of topology?.vaults ?? []) this.#seed(v);
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

  /** Crash-consistent recovery points, newest first (at most 12, as A2A keeps a day by default). */
  recoveryPoints(item: ProtectedItem): number[] {
    if (item.replicatingSince === undefined) return [];
    const interval = this.durations.recoveryPointInterval * 1000;
    const last = this.lastSync(item);
    if (interval === 0) return [last];
    const points: number[] = [];
    for (
      let t = item.replicatingSince + Math.floor((last - item.replicatingSince) / interval) * interval;
      t >= item.replicatingSince && points.length < 12;
      t -= interval
    )
      points.push(t);
    return points;
  }

  replicationHealth(item: ProtectedItem): "Normal" | "Warning" | "Critical" {
    const rpo = this.rpoSeconds(item);
    if (rpo === undefined) return "Normal";
    if (rpo > 1800) return "Critical";
    return rpo > 900 ? "Warning" : "Normal";
  }

  // ---- enable protection ----

  /** A new protected item whose initial replication runs as a job. */
  enableProtection(vault: Vault, name: string, vm: VirtualMachine, policyId: string): Job {
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
    const item = this.#addItem(vault, name, vm, policyId, false);
    const prerequisites = this.durations.prerequisites;
    return this.#run(
      item,
      "EnableDr",
      "Enable replication",
      [
        this.#task(
          "EnableProtectionPrereqCheck",
          "Prerequisites check for enabling protection",
          prerequisites,
        ),
        this.#task("IdentifyTargetResources", "Identify the replication target", prerequisites),
        this.#task("EnableProtectionTask", "Initial replication", this.durations.initialReplication, {
          end: () => {
            item.protectionState = "Protected";
            item.replicatingSince = this.#ctx.timeline.now();
            return undefined;
          },
        }),
      ],
      () => undefined,
    );
  }

  /** How far the running replication (initial or after reprotect) has come, in percent. */
  replicationProgress(item: ProtectedItem): number | undefined {
    if (item.protectionState !== "EnablingProtection" && item.protectionState !== "ReprotectInProgress")
      return undefined;
    const seconds =
      item.protectionState === "ReprotectInProgress"
        ? this.durations.reprotect
        : this.durations.initialReplication;
    if (seconds === 0) return 100;
    const elapsed = (this.#ctx.timeline.now() - item.replicationStartedAt) / 1000;
    return Math.min(99, Math.floor((elapsed / seconds) * 100));
  }

  // ---- the state machine ----

  /** One item's failover, commit, reprotect, test failover or cleanup, as a job of its own. */
  act(item: ProtectedItem, action: ItemAction, input: FailoverInput): Job {
    this.#checkAction(item, action, input);
    const lifecycle = this.#itemLifecycle(item, action, input);
    lifecycle.starting();
    return this.#run(item, scenarioOf[action], friendlyOf[action], lifecycle.tasks, lifecycle.finish);
  }

  // ---- recovery plans: each action on every item, group after group ----

  planAction(plan: RecoveryPlan, action: ItemAction, input: FailoverInput): Job {
    if (plan.scenario)
      throw refuse(
        "RecoveryPlanOperationInProgress",
        `Recovery plan ${plan.name} is running job ${plan.scenario.job.name} (${plan.scenario.name}).`,
        "Wait for that job to finish, then retry.",
      );
    const items = plan.groups.flat();
    for (const item of items) this.#checkAction(item, action, input);
    const scenario = `RecoveryPlan${scenarioOf[action]}`;
    // One task per group: its items' steps run side by side; the group lasts as long as its slowest item.
    const tasks: TaskPlan[] = plan.groups.map((group, g) => {
      const lifecycles = group.map((item) => this.#itemLifecycle(item, action, input));
      // A millisecond past the slowest item, so that every item's last step has run when the group ends.
      const seconds = Math.max(...lifecycles.map((l) => l.tasks.reduce((s, t) => s + t.seconds, 0))) + 0.001;
      return {
        name: `Group${g + 1}`,
        friendlyName: `Group ${g + 1}: ${friendlyOf[action]}`,
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
        plan.scenario = undefined;
        for (const item of items) if (item.scenario?.job === job) item.scenario = undefined;
        if (ok && action === "UnplannedFailover") plan.lastUnplannedFailoverTime = this.#ctx.timeline.now();
        if (ok && action === "TestFailover") plan.lastTestFailoverTime = this.#ctx.timeline.now();
      },
      result: () => renderPlan(plan),
    });
    plan.scenario = { name: scenario, job };
    for (const item of items) item.scenario = { name: scenario, job };
    plan.vault.jobs.set(job.name.toLowerCase(), job);
    return job;
  }

  // ---- internals ----

  #failoverTasks(item: ProtectedItem, input: FailoverInput): TaskPlan[] {
    const source = this.#source(item);
    const tasks: TaskPlan[] = [];
    if (input.shutdownSource) {
      tasks.push(
        this.#task("ShutdownPrimaryVm", "Shut down the virtual machine", this.#world.durations.vmPowerOff, {
          begin: () => {
            if (this.#faults.regionDownSince(source.location) !== undefined)
              return {
                code: "SourceVmShutdownFailed",
                message: `The virtual machine ${source.name} could not be shut down: region ${source.location} is unreachable.`,
                recommendedAction: "Fail over with sourceSiteOperations NotRequired (an unplanned failover).",
              };
            this.#world.powerOffVm(source);
            return undefined;
          },
        }),
      );
    }
    // The data the replica starts from: what had reached the recovery side when the failover began.
    let point: number | undefined;
    tasks.push(
      this.#task("FailoverTask", "Start failover", this.durations.failover, {
        begin: () => {
          point = this.#pointFor(item, input.recoveryPoint);
          return undefined;
        },
        end: () => {
          const failure = this.#faults.failoverFailure(item.primaryVm.id);
          if (failure) return failure;
          item.failoverRecoveryPointTime = point;
          return undefined;
        },
      }),
      this.#task("StartReplicaVm", "Start the replica virtual machine", this.#world.durations.vmStart, {
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

  /** Latest: the last sync; a recovery point's id: that point; otherwise the newest recovery point. */
  #pointFor(item: ProtectedItem, recoveryPoint: string): number {
    const latest = this.lastSync(item);
    if (recoveryPoint === "Latest") return latest;
    const points = this.recoveryPoints(item);
    const named = Number(recoveryPoint.split("/").at(-1));
    return points.find((p) => p === named) ?? points[0] ?? latest;
  }

  /** The VM a failover lands on: the existing counterpart, or a new replica in the recovery group. */
  #ensureTarget(item: ProtectedItem): VirtualMachine {
    if (item.activeLocation === "Recovery") return item.primaryVm;
    if (!item.recoveryVm) {
      item.recoveryVm = this.#world.addVirtualMachine({
        resourceGroup: item.vault.recoveryResourceGroup,
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

  #targetResourceGroup(item: ProtectedItem): string {
    return item.activeLocation === "Primary"
      ? item.vault.recoveryResourceGroup
      : item.primaryVm.resourceGroup;
  }

  #targetLocation(item: ProtectedItem): string {
    return item.activeLocation === "Primary" ? item.vault.recovery.location : item.vault.primary.location;
  }

  #checkAction(item: ProtectedItem, action: ItemAction, input: FailoverInput): void {
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
        `${friendlyOf[action]} is not allowed for protected item ${item.name} in state ${item.protectionState} (${describeState[item.protectionState] ?? item.protectionState}); allowed operations: ${allowed.join(", ") || "none"}.`,
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
  }

  /** The per-item pieces of an action: its tasks and what changes at start and at the end. */
  #itemLifecycle(item: ProtectedItem, action: ItemAction, input: FailoverInput): Lifecycle {
    const now = () => this.#ctx.timeline.now();
    const prerequisites = this.#task(
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
          this.#failoverTasks(item, input),
          () => {
            item.protectionState = "UnplannedFailoverInProgress";
          },
          (ok) => {
            item.protectionState = ok ? "UnplannedFailoverCommitRequired" : "UnplannedFailoverFailed";
            if (ok) item.lastSuccessfulFailoverTime = now();
          },
        );
      case "Commit":
        return lifecycle(
          [this.#task("FailoverCommitTask", "Commit", this.durations.commit)],
          () => {
            item.protectionState = "FailoverCommitInProgress";
          },
          (ok) => {
            item.protectionState = ok ? "UnplannedFailoverCommitted" : "UnplannedFailoverCommitRequired";
          },
        );
      case "ReverseReplicate":
        return lifecycle(
          [this.#task("ReprotectTask", "Reverse replication and resynchronise", this.durations.reprotect)],
          () => {
            item.protectionState = "ReprotectInProgress";
            item.replicatingSince = undefined;
            item.replicationStartedAt = now();
            // As with A2A's reverse container mapping, the item now lives in the container of the side it runs on.
            item.container =
              item.activeLocation === "Primary"
                ? item.vault.primary.container
                : item.vault.recovery.container;
            item.id = `${item.container.id}/replicationProtectedItems/${item.name}`;
          },
          (ok) => {
            item.protectionState = ok ? "Protected" : "UnplannedFailoverCommitted";
            if (ok) item.replicatingSince = now();
          },
        );
      case "TestFailover": {
        const network = input.networkId ?? item.vault.recoveryNetworkId;
        return lifecycle(
          [
            this.#task("TestFailoverTask", "Create test virtual machine", this.durations.failover, {
              end: () => this.#faults.failoverFailure(item.primaryVm.id),
            }),
            this.#task("StartTestVm", "Start the virtual machine", this.#world.durations.vmStart, {
              begin: () => {
                const source = this.#source(item);
                item.testVm = this.#world.addVirtualMachine({
                  resourceGroup: this.#targetResourceGroup(item),
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
            item.testFailoverState = "TestFailoverInProgress";
          },
          (ok) => {
            item.testFailoverState = ok ? "TestFailoverCompleted" : "None";
            if (ok) item.lastSuccessfulTestFailoverTime = now();
          },
        );
      }
      case "TestFailoverCleanup":
        return lifecycle(
          [
            this.#task(
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
            item.testFailoverState = "MarkedForDeletion";
          },
          (ok) => {
            item.testFailoverState = ok ? "None" : "TestFailoverCompleted";
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

  #task(
    name: string,
    friendlyName: string,
    seconds: number,
    hooks: Pick<TaskPlan, "begin" | "end"> = {},
  ): TaskPlan {
    return { name, friendlyName, seconds, ...hooks };
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
    finish: (ok: boolean) => void,
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
    policyId: string,
    protectedNow: boolean,
  ): ProtectedItem {
    const container = vault.primary.container;
    const now = this.#ctx.timeline.now();
    const item: ProtectedItem = {
      name,
      id: `${container.id}/replicationProtectedItems/${name}`,
      vault,
      container,
      policyId,
      primaryVm: vm,
      protectionState: protectedNow ? "Protected" : "EnablingProtection",
      activeLocation: "Primary",
      testFailoverState: "None",
      replicationStartedAt: now,
      ...(protectedNow ? { replicatingSince: now - this.durations.initialReplication * 1000 } : {}),
    };
    vault.items.set(name.toLowerCase(), item);
    return item;
  }

  #seed(v: VaultTopology): void {
    const id = `${this.#world.resourceGroupId(v.resourceGroup)}/providers/Microsoft.RecoveryServices/vaults/${v.name}`;
    const fabric = (location: string): Fabric => {
      const name = `asr-a2a-default-${location}`;
      const fabricId = `${id}/replicationFabrics/${name}`;
      const f = { name, id: fabricId, location } as Fabric;
      (f as { container: Container }).container = {
        name: `${name}-container`,
        id: `${fabricId}/replicationProtectionContainers/${name}-container`,
        fabric: f,
      };
      return f;
    };
    const vault: Vault = {
      name: v.name,
      id,
      resourceGroup: v.resourceGroup,
      location: v.recoveryLocation,
      primary: fabric(v.primaryLocation),
      recovery: fabric(v.recoveryLocation),
      recoveryResourceGroup: v.recoveryResourceGroup,
      recoveryNetworkId:
        v.recoveryNetworkId ??
        `${this.#world.resourceGroupId(v.recoveryResourceGroup)}/providers/Microsoft.Network/virtualNetworks/vnet-${v.recoveryLocation}`,
      items: new Map(),
      plans: new Map(),
      jobs: new Map(),
    };
    this.vaults.set(`${v.resourceGroup}/${v.name}`.toLowerCase(), vault);
    this.#world.otherResources.set(id.toLowerCase(), {
      id,
      name: v.name,
      type: "Microsoft.RecoveryServices/vaults",
      location: vault.location,
      resourceGroup: v.resourceGroup,
    });
    const policyId = `${id}/replicationPolicies/24-hour-retention-policy`;
    const byVm = new Map<string, ProtectedItem>();
    for (const ref of v.protectedVms ?? []) {
      const [rg, name] = ref.split("/") as [string, string];
      const vm = this.#world.virtualMachine(rg, name)!;
      byVm.set(ref.toLowerCase(), this.#addItem(vault, vm.name, vm, policyId, true));
    }
    for (const p of v.recoveryPlans ?? []) {
      vault.plans.set(p.name.toLowerCase(), {
        name: p.name,
        id: `${id}/replicationRecoveryPlans/${p.name}`,
        vault,
        groups: p.groups.map((g) => g.map((ref) => byVm.get(ref.toLowerCase())!)),
      });
    }
  }
}

function hintFor(item: ProtectedItem): string {
  switch (item.protectionState) {
    case "EnablingProtection":
      return "Wait for the initial replication to finish.";
    case "Protected":
      return item.testFailoverState === "None"
        ? "Fail over first."
        : "Clean up the test failover first (testFailoverCleanup).";
    case "UnplannedFailoverCommitRequired":
      return "Commit the failover (failoverCommit) first.";
    case "UnplannedFailoverCommitted":
      return "Reprotect (reProtect) first.";
    case "UnplannedFailoverFailed":
      return "Retry the failover.";
    default:
      return "Wait for the running job to finish.";
  }
}
