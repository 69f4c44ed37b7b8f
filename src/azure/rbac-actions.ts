// The Azure RBAC action that authorizes each ARM operation the emulator serves, named as the
// provider operation lists name it: config/azure/role.json is checked against this table
// (test/azure-role). A kind the emulator serves on paths that Azure authorizes under different
// actions (a host pool's user sessions against a session host's) has one rule per ARM resource type.
import { armRequestKind } from "./request-observer.ts";

export interface RbacRule {
  /** The emulator's operation kind (its route's `operation`). */
  kind: string;
  /** Only for requests to this ARM resource type (as `armRequestKind` names it, without the method). */
  resourceType?: string;
  /** The action a role must grant, spelled as the provider operations list spells it. */
  action: string;
  /** Where the action's name comes from. */
  source: string;
}

const DOCS = "learn.microsoft.com, Azure RBAC provider operations (MicrosoftDocs/azure-docs";
const COMPUTE = `${DOCS} articles/role-based-access-control/permissions/compute.md, Microsoft.Compute)`;
const DESKTOP = `${DOCS} articles/role-based-access-control/permissions/compute.md, Microsoft.DesktopVirtualization)`;
const RECOVERY = `${DOCS} articles/role-based-access-control/permissions/management-and-governance.md, Microsoft.RecoveryServices)`;
const RESOURCES = `${DOCS} articles/role-based-access-control/permissions/management-and-governance.md, Microsoft.Resources)`;

/** A rule whose action is the emulator's kind itself, spelled the same way. */
const same = (kind: string, source: string): RbacRule => ({ kind, action: kind, source });

const VAULT = "Microsoft.RecoveryServices/vaults";
const CONTAINERS = `${VAULT}/replicationFabrics/replicationProtectionContainers`;
const ITEMS = `${CONTAINERS}/replicationProtectedItems`;
const PLANS = `${VAULT}/replicationRecoveryPlans`;
const MAPPINGS = "replicationProtectionContainerMappings";
const SESSIONS = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions";
/** What both a protected item and a recovery plan take, as POST …/{action}. */
const FAILOVER_ACTIONS = [
  "plannedFailover",
  "unplannedFailover",
  "testFailover",
  "testFailoverCleanup",
  "failoverCommit",
  "reProtect",
];

export const RBAC_RULES: readonly RbacRule[] = [
  // ---- Microsoft.Compute ----
  same("Microsoft.Compute/virtualMachines/read", COMPUTE),
  same("Microsoft.Compute/virtualMachines/instanceView/read", COMPUTE),
  same("Microsoft.Compute/virtualMachines/start/action", COMPUTE),
  same("Microsoft.Compute/virtualMachines/deallocate/action", COMPUTE),
  same("Microsoft.Compute/virtualMachines/powerOff/action", COMPUTE),
  same(
    "Microsoft.Compute/locations/operations/read",
    `${COMPUTE}; "Track asynchronous Azure operations", section "Permission for tracking async status"`,
  ),

  // ---- Microsoft.DesktopVirtualization ----
  same("Microsoft.DesktopVirtualization/hostpools/read", DESKTOP),
  same("Microsoft.DesktopVirtualization/hostpools/sessionhosts/read", DESKTOP),
  same("Microsoft.DesktopVirtualization/hostpools/sessionhosts/write", DESKTOP),
  {
    // A pool's sessions, GET …/hostPools/{hp}/userSessions: their own resource type.
    kind: `${SESSIONS}/read`,
    resourceType: "Microsoft.DesktopVirtualization/hostPools/userSessions",
    action: "Microsoft.DesktopVirtualization/hostpools/usersessions/read",
    source: DESKTOP,
  },
  same(`${SESSIONS}/read`, DESKTOP),
  same(`${SESSIONS}/delete`, DESKTOP),
  same(`${SESSIONS}/disconnect/action`, DESKTOP),
  same(`${SESSIONS}/sendMessage/action`, DESKTOP),
  same("Microsoft.DesktopVirtualization/applicationgroups/read", DESKTOP),
  same("Microsoft.DesktopVirtualization/workspaces/read", DESKTOP),

  // ---- Microsoft.RecoveryServices (Site Recovery) ----
  { kind: `${VAULT}/read`, action: "Microsoft.RecoveryServices/Vaults/read", source: RECOVERY },
  same(`${VAULT}/replicationFabrics/read`, RECOVERY),
  // A vault-wide list is its own resource type, authorized apart from a container's list.
  same(`${VAULT}/replicationProtectionContainers/read`, RECOVERY),
  same(`${CONTAINERS}/read`, RECOVERY),
  same(`${VAULT}/replicationPolicies/read`, RECOVERY),
  same(`${VAULT}/${MAPPINGS}/read`, RECOVERY),
  same(`${CONTAINERS}/${MAPPINGS}/read`, RECOVERY),
  same(`${VAULT}/replicationProtectedItems/read`, RECOVERY),
  same(`${ITEMS}/read`, RECOVERY),
  same(`${ITEMS}/write`, RECOVERY),
  same(`${ITEMS}/recoveryPoints/read`, RECOVERY),
  ...FAILOVER_ACTIONS.map((a) => same(`${ITEMS}/${a}/action`, RECOVERY)),
  same(`${ITEMS}/failoverCancel/action`, RECOVERY),
  same(`${PLANS}/read`, RECOVERY),
  ...FAILOVER_ACTIONS.map((a) => same(`${PLANS}/${a}/action`, RECOVERY)),
  same(`${VAULT}/replicationJobs/read`, RECOVERY),
  // An action's 202 names two polling URLs; each is read as the list names it ("Read any Vault
  // Replication Operation Status", "Track the results of an asynchronous operation on the
  // resource …"): Azure-AsyncOperation …/vaults/{v}/replicationOperationStatus/{job} (spec
  // example ReplicationRecoveryPlans_TestFailover.json, 2023-06-01) and Location
  // …/{item or plan}/operationresults/{job} (a public trace of the live service).
  same(`${VAULT}/replicationOperationStatus/read`, RECOVERY),
  same(`${ITEMS}/operationresults/read`, RECOVERY),
  same(`${PLANS}/operationresults/read`, RECOVERY),

  // ---- Microsoft.Resources ----
  same("Microsoft.Resources/subscriptions/read", RESOURCES),
  same("Microsoft.Resources/subscriptions/resourceGroups/read", RESOURCES),
  {
    kind: "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
    action: "Microsoft.Resources/subscriptions/resourcegroups/resources/read",
    source: RESOURCES,
  },
  same("Microsoft.Resources/subscriptions/resources/read", RESOURCES),
];

/** The ARM resource type a request path addresses, e.g. Microsoft.RecoveryServices/vaults/replicationProtectedItems. */
function resourceTypeOf(path: string): string {
  return armRequestKind("GET", new URL(path, "https://management.azure.com").toString()).slice("GET ".length);
}

/** The rule that authorizes one request the emulator routed to `kind`; undefined when none is known. */
export function rbacRuleOf(kind: string, path: string): RbacRule | undefined {
  const type = resourceTypeOf(path).toLowerCase();
  const rules = RBAC_RULES.filter((r) => r.kind === kind);
  return rules.find((r) => r.resourceType?.toLowerCase() === type) ?? rules.find((r) => !r.resourceType);
}
