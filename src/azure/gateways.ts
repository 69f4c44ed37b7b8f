// The small interfaces the reconcilers use to see and change Azure. Nothing here imports
// an SDK: adapters over the @azure/* clients implement them (desktop-virtualization.ts,
// compute.ts), and a reconciler test can hand in anything that fits.

// ---- long-running operations: recorded in status, resumed after a restart ----

/** A started long-running operation, JSON-serialisable so a caller can persist it. */
export interface LongRunningOperation {
  /** What was started, e.g. "compute/deallocate". */
  kind: string;
  /** The resource it acts on. */
  target: string;
  /** Opaque state from which the adapter can resume polling (the SDK poller's serialised state). */
  resumeToken: string;
}

export type OperationProgress =
  | { status: "running" }
  | { status: "succeeded" }
  | { status: "failed"; error: { code: string; message: string } }
  /** Ended without finishing; `error` says why when the service did (e.g. OperationPreempted). */
  | { status: "canceled"; error?: { code: string; message: string } };

// ---- Microsoft.DesktopVirtualization ----

export interface HostPoolInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  hostPoolType: string;
  loadBalancerType: string;
  maxSessionLimit?: number;
}

export interface SessionHostInfo {
  id: string;
  /** The host's FQDN (without the "pool/" prefix the service puts in `name`). */
  name: string;
  resourceGroup: string;
  hostPool: string;
  /** Available, Unavailable, Shutdown, NoHeartbeat, … (a string: the service adds values). */
  status: string;
  allowNewSession: boolean;
  sessions: number;
  assignedUser?: string;
  /** Resource id of the session host's VM. */
  vmResourceId?: string;
  /** The VM's GUID (Compute's `properties.vmId`); a replica Site Recovery creates has its own. */
  virtualMachineId?: string;
  lastHeartBeat?: Date;
}

/** Enough to address one user session. */
export interface UserSessionRef {
  resourceGroup: string;
  hostPool: string;
  sessionHost: string;
  sessionId: string;
}

export interface UserSessionInfo extends UserSessionRef {
  id: string;
  userPrincipalName: string;
  /** Active, Disconnected, … */
  state: string;
  createTime?: Date;
}

export interface ApplicationGroupInfo {
  id: string;
  name: string;
  hostPoolId: string;
  workspaceId?: string;
  applicationGroupType: string;
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  applicationGroupIds: string[];
}

export interface DesktopVirtualizationGateway {
  listHostPools(resourceGroup: string): Promise<HostPoolInfo[]>;
  /** undefined when the host pool does not exist. */
  getHostPool(resourceGroup: string, hostPool: string): Promise<HostPoolInfo | undefined>;
  listSessionHosts(resourceGroup: string, hostPool: string): Promise<SessionHostInfo[]>;
  /** Drain mode is allowNewSession=false. */
  setAllowNewSession(
    resourceGroup: string,
    hostPool: string,
    sessionHost: string,
    allow: boolean,
  ): Promise<SessionHostInfo>;
  /** Every user session of a pool, in one paged list. */
  listUserSessions(resourceGroup: string, hostPool: string): Promise<UserSessionInfo[]>;
  sendMessage(session: UserSessionRef, title: string, body: string): Promise<void>;
  /** Forced log-off; a session that is already gone counts as logged off. */
  logOff(session: UserSessionRef): Promise<void>;
  listApplicationGroups(resourceGroup: string): Promise<ApplicationGroupInfo[]>;
  listWorkspaces(resourceGroup: string): Promise<WorkspaceInfo[]>;
}

// ---- Microsoft.Compute ----

export type PowerState =
  | "starting"
  | "running"
  | "stopping"
  | "stopped"
  | "deallocating"
  | "deallocated"
  | "unknown";

export interface VmPowerInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  powerState: PowerState;
}

export interface ComputeGateway {
  /** The power state of every VM of a resource group, in one paged list call. */
  listPowerStates(resourceGroup: string): Promise<VmPowerInfo[]>;
  beginStart(resourceGroup: string, vm: string): Promise<LongRunningOperation>;
  beginDeallocate(resourceGroup: string, vm: string): Promise<LongRunningOperation>;
  /** One poll of a recorded operation; never blocks on it. */
  checkOperation(operation: LongRunningOperation): Promise<OperationProgress>;
  /** Polls a recorded operation until it ends; throws AzureError if it failed or was canceled (its code, e.g. OperationPreempted). */
  waitForOperation(operation: LongRunningOperation, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

// ---- Microsoft.RecoveryServices site recovery (Azure-to-Azure) ----

export interface VaultRef {
  resourceGroup: string;
  vault: string;
}

export interface ProtectedItemRef extends VaultRef {
  fabric: string;
  container: string;
  item: string;
}

export interface RecoveryPlanRef extends VaultRef {
  recoveryPlan: string;
}

/** What an action acts on: one protected item, or every item of a recovery plan. */
export type SiteRecoveryTarget = ProtectedItemRef | RecoveryPlanRef;

export type FailoverDirection = "PrimaryToRecovery" | "RecoveryToPrimary";

/** Latest: all data that reached the recovery region; the others: the newest recovery point of that kind. */
export type RecoveryPointType =
  | "Latest"
  | "LatestProcessed"
  | "LatestCrashConsistent"
  | "LatestApplicationConsistent";

export type FailoverOptions =
  /** Shut the source VMs down first, then fail over without data loss (A2A: unplannedFailover, sourceSiteOperations Required). */
  | { type: "planned"; direction: FailoverDirection }
  /** The source is gone: fail over to a recovery point (sourceSiteOperations NotRequired). */
  | {
      type: "unplanned";
      direction: FailoverDirection;
      /** Latest by default; an item's is resolved to the newest recovery point of the kind. */
      recoveryPointType?: RecoveryPointType;
      /** A single item only: this recovery point (one of its recoveryPoints); wins over recoveryPointType. */
      recoveryPointId?: string;
    }
  /** Test VMs in an isolated network; production keeps running. */
  | { type: "test"; direction: FailoverDirection; networkId: string };

export interface ProtectedItemInfo extends ProtectedItemRef {
  id: string;
  /** The protected VM's name. */
  friendlyName: string;
  /** The service's coarse name: Protected, UnprotectedStatesBegin, UnplannedFailoverCommitPendingStatesBegin, … (display only). */
  protectionState: string;
  /** The wording the portal shows, e.g. "Failover completed". */
  protectionStateDescription: string;
  /** Primary or Recovery: where the VM runs now. */
  activeLocation: string;
  replicationHealth: string;
  testFailoverState: string;
  allowedOperations: string[];
  /** The job running on the item, if any. */
  currentJob?: { scenarioName: string; jobName: string };
  lastSuccessfulFailoverTime?: Date;
  policyId?: string;
  /** The protection container the item replicates to. */
  recoveryContainerId?: string;
  a2a?: {
    /** Resource id of the VM the item protects: the primary one, after a reprotect the one it runs on. */
    vmId: string;
    primaryLocation?: string;
    recoveryLocation?: string;
    recoveryResourceGroupId?: string;
    /** The VM on the other side, once a failover created it (after a reprotect, the original). */
    recoveryVmId?: string;
    testVmId?: string;
    rpoSeconds?: number;
    lastRpoCalculatedTime?: Date;
    /** Progress of the initial replication or resynchronisation, in percent. */
    replicationProgress?: number;
  };
}

/** A started Site Recovery action: the job to follow, JSON-serialisable so a caller can persist it. */
export interface SiteRecoveryOperation extends LongRunningOperation {
  job: VaultRef & { name: string };
}

export interface SiteRecoveryJobInfo {
  name: string;
  id: string;
  scenarioName: string;
  /** NotStarted, InProgress, Succeeded, Failed, Cancelled, Suspended, Other. */
  state: string;
  targetObjectId?: string;
  targetObjectName?: string;
  startTime?: Date;
  endTime?: Date;
  /** stateDescription tells a task that was skipped (Succeeded, "Skipped") from one that ran. */
  tasks: { name: string; friendlyName: string; state: string; stateDescription: string }[];
  errors: { code: string; message: string; recommendedAction?: string; taskId?: string }[];
}

export interface EnableReplication {
  /** Resource id of the VM to protect. */
  vmId: string;
  /** The protected item's name; the VM's name by default. */
  item?: string;
  fabric: string;
  container: string;
  policyId: string;
  recoveryResourceGroupId?: string;
  recoveryContainerId?: string;
}

/** A protection container mapping: A2A replicates from its source container to its target under its policy. */
export interface ContainerMappingInfo {
  id: string;
  name: string;
  sourceContainerId: string;
  targetContainerId: string;
  policyId: string;
  /** The regions of the two containers' fabrics. */
  sourceLocation?: string;
  targetLocation?: string;
  /** Paired when usable. */
  state: string;
}

export interface RecoveryPlanInfo extends RecoveryPlanRef {
  id: string;
  allowedOperations: string[];
  /** The job running on the plan, if any (the service keeps naming the last one after it ended). */
  currentJob?: { scenarioName: string; jobName: string };
  /** Boot groups in order, each the resource ids of its protected items. */
  bootGroups: string[][];
}

export interface SiteRecoveryGateway {
  /** Every protected item of a vault with its A2A details, in one paged list. */
  listProtectedItems(vault: VaultRef): Promise<ProtectedItemInfo[]>;
  /** undefined when the vault has no such recovery plan. */
  getRecoveryPlan(plan: RecoveryPlanRef): Promise<RecoveryPlanInfo | undefined>;
  /** Every protection container mapping of the vault, with the regions of both ends. */
  listContainerMappings(vault: VaultRef): Promise<ContainerMappingInfo[]>;
  beginEnableReplication(vault: VaultRef, spec: EnableReplication): Promise<SiteRecoveryOperation>;
  beginFailover(target: SiteRecoveryTarget, options: FailoverOptions): Promise<SiteRecoveryOperation>;
  beginTestFailoverCleanup(target: SiteRecoveryTarget, comments?: string): Promise<SiteRecoveryOperation>;
  beginCommit(target: SiteRecoveryTarget): Promise<SiteRecoveryOperation>;
  /**
   * Replicate back from where the VMs now run, so that a failback can follow. An item's
   * reprotect goes through the vault's mapping from the container it runs in back to its own,
   * under that mapping's policy, and lands a later failover in its protected VM's resource group:
   * all read from the item as just listed.
   */
  beginReprotect(
    target: RecoveryPlanRef | ProtectedItemInfo,
    direction: FailoverDirection,
  ): Promise<SiteRecoveryOperation>;
  /** undefined when the vault has no such job. */
  getJob(vault: VaultRef, jobName: string): Promise<SiteRecoveryJobInfo | undefined>;
  /** One look at a recorded operation's job; never blocks on it. */
  checkOperation(operation: SiteRecoveryOperation): Promise<OperationProgress>;
  /** Follows a recorded operation's job to its end; throws AzureError (the failed task's code) if it failed. */
  waitForOperation(operation: SiteRecoveryOperation, options?: { abortSignal?: AbortSignal }): Promise<void>;
}
