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
  | { status: "canceled" };

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
  /** Polls a recorded operation until it ends; throws AzureError if it failed. */
  waitForOperation(operation: LongRunningOperation, options?: { abortSignal?: AbortSignal }): Promise<void>;
}
