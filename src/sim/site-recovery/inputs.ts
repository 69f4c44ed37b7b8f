// The request bodies of Site Recovery's A2A calls, read as the 2023-06-01 spec shapes them:
// what each requires is refused when missing, naming the field; what the spec leaves out of
// an input (a single item's failover has no recoveryPointType) is not read.
import { badRequest, jsonBody, type SimRequest } from "../http.ts";
import type { ActionInput, EnableInput, ProtectedItem } from "./model.ts";

type Props = Record<string, unknown>;
export type Scope = "item" | "plan";

const invalid = (field: string, what: string) =>
  badRequest(`The request content was invalid: '${field}' ${what}.`);

function properties(req: SimRequest): Props {
  const props = jsonBody(req).properties;
  if (typeof props !== "object" || props === null || Array.isArray(props))
    throw invalid("properties", "must be an object");
  return props as Props;
}

function oneOf<T extends string>(
  props: Props,
  field: string,
  allowed: readonly T[],
  fallback: T | undefined,
): T {
  const value = props[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T))
    throw invalid(`properties.${field}`, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

function optionalString(props: Props, field: string, path: string): string | undefined {
  const value = props[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "")
    throw invalid(`${path}.${field}`, "must be a non-empty string");
  return value;
}

/** The resource group an ARM id names (`/subscriptions/{s}/resourceGroups/{rg}`). */
function resourceGroupOf(id: string | undefined, field: string): string | undefined {
  if (id === undefined) return undefined;
  const match = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)$/i.exec(id);
  if (!match)
    throw invalid(field, "must be a resource group's id, /subscriptions/{id}/resourceGroups/{name}");
  return match[1];
}

/** The A2A member of providerSpecificDetails: an object for an item, an array for a plan. */
function a2aDetails(props: Props, scope: Scope, required: boolean): Props | undefined {
  const details = props.providerSpecificDetails;
  if (details === undefined) {
    if (required) throw invalid("properties.providerSpecificDetails", "is required: {instanceType: A2A, …}");
    return undefined;
  }
  const list = scope === "plan" ? details : [details];
  if (!Array.isArray(list) || list.some((d) => typeof d !== "object" || d === null))
    throw invalid(
      "properties.providerSpecificDetails",
      `must be ${scope === "plan" ? "an array of objects" : "an object"}`,
    );
  const a2a = (list as Props[]).find((d) => d.instanceType === "A2A");
  if (!a2a)
    throw invalid(
      "properties.providerSpecificDetails",
      "needs instanceType A2A for Azure-to-Azure replication",
    );
  return a2a;
}

/** vmDisks and vmManagedDisks entries need the fields the spec marks required. */
function checkDisks(a2a: Props, list: "vmDisks" | "vmManagedDisks"): void {
  const required =
    list === "vmDisks"
      ? ["diskUri", "recoveryAzureStorageAccountId", "primaryStagingAzureStorageAccountId"]
      : ["diskId", "primaryStagingAzureStorageAccountId", "recoveryResourceGroupId"];
  const disks = a2a[list];
  if (disks === undefined) return;
  const path = `properties.providerSpecificDetails.${list}`;
  if (!Array.isArray(disks)) throw invalid(path, "must be an array");
  disks.forEach((disk, i) => {
    for (const field of required) {
      if (typeof disk !== "object" || disk === null || typeof (disk as Props)[field] !== "string")
        throw invalid(`${path}[${i}].${field}`, "is required");
    }
  });
}

const directions = ["PrimaryToRecovery", "RecoveryToPrimary"] as const;
const defaultDirection = (item: ProtectedItem) =>
  item.activeLocation === "Primary" ? ("PrimaryToRecovery" as const) : ("RecoveryToPrimary" as const);
const recoveryPointTypes = [
  "Latest",
  "LatestApplicationConsistent",
  "LatestCrashConsistent",
  "LatestProcessed",
];

function defaults(item: ProtectedItem): ActionInput {
  return { direction: defaultDirection(item), shutdownSource: false, recoveryPoint: "Latest" };
}

/** failoverCommit takes no body. */
export const commitInput = (_req: SimRequest, item: ProtectedItem): ActionInput => defaults(item);

/** testFailoverCleanup's body carries only comments. */
export function cleanupInput(req: SimRequest, item: ProtectedItem): ActionInput {
  jsonBody(req);
  return defaults(item);
}

/**
 * unplannedFailover: a plan's A2A input has `recoveryPointType` (required by the spec); an
 * item's has only `recoveryPointId` (absent: the latest point).
 */
export function failoverInput(req: SimRequest, item: ProtectedItem, scope: Scope): ActionInput {
  const props = properties(req);
  const fallback = scope === "item" ? defaultDirection(item) : undefined;
  const direction = oneOf(props, "failoverDirection", directions, fallback);
  const source = oneOf(
    props,
    "sourceSiteOperations",
    ["Required", "NotRequired"] as const,
    scope === "item" ? "NotRequired" : undefined,
  );
  const a2a = a2aDetails(props, scope, false);
  const recoveryPoint =
    scope === "plan"
      ? a2a
        ? oneOf(a2a, "recoveryPointType", recoveryPointTypes, undefined)
        : "Latest"
      : (a2a && optionalString(a2a, "recoveryPointId", "properties.providerSpecificDetails")) || "Latest";
  return { direction, shutdownSource: source === "Required", recoveryPoint };
}

export function testFailoverInput(req: SimRequest, item: ProtectedItem, scope: Scope): ActionInput {
  const props = properties(req);
  const direction = oneOf(
    props,
    "failoverDirection",
    directions,
    scope === "item" ? defaultDirection(item) : undefined,
  );
  oneOf(
    props,
    "networkType",
    ["VmNetworkAsInput", "NoNetwork", "ExistingNetwork"] as const,
    scope === "item" ? "VmNetworkAsInput" : undefined,
  );
  const networkId = props.networkId;
  if (typeof networkId !== "string" || !networkId.startsWith("/subscriptions/"))
    throw invalid("properties.networkId", "must be the resource id of the virtual network the test VMs join");
  a2aDetails(props, scope, false);
  return { direction, shutdownSource: false, networkId, recoveryPoint: "Latest" };
}

/**
 * An item's reProtect (A2AReprotectInput): the container and the policy of the container
 * mapping it replicates back through are what every client sends (the portal, PowerShell);
 * the target resource group is optional.
 */
export function reprotectInput(req: SimRequest, item: ProtectedItem, scope: Scope): ActionInput {
  // A plan's reprotect has no body: each item goes back through the reverse mapping.
  if (scope === "plan") return defaults(item);
  const props = properties(req);
  const direction = oneOf(props, "failoverDirection", directions, defaultDirection(item));
  const a2a = a2aDetails(props, "item", true)!;
  const path = "properties.providerSpecificDetails";
  const required = (field: string, what: string) => {
    const value = optionalString(a2a, field, path);
    if (!value) throw invalid(`${path}.${field}`, `is required for an A2A reprotect: ${what}`);
    return value;
  };
  const recoveryContainerId = required(
    "recoveryContainerId",
    "the protection container to replicate to (the target of the reverse container mapping)",
  );
  const policyId = required("policyId", "the replication policy of that container mapping");
  checkDisks(a2a, "vmDisks");
  const field = `${path}.recoveryResourceGroupId`;
  const recoveryResourceGroup = resourceGroupOf(optionalString(a2a, "recoveryResourceGroupId", path), field);
  return {
    ...defaults(item),
    direction,
    reprotect: { recoveryContainerId, policyId, ...(recoveryResourceGroup ? { recoveryResourceGroup } : {}) },
  };
}

/** PUT of a protected item (A2AEnableProtectionInput): the VM is required, the rest defaults from the mappings. */
export function enableInput(req: SimRequest): { vmId: string; input: EnableInput } {
  const props = properties(req);
  if (typeof props.policyId !== "string" || props.policyId === "")
    throw invalid("properties.policyId", "must be the replication policy's id");
  const a2a = a2aDetails(props, "item", true)!;
  const path = "properties.providerSpecificDetails";
  const vmId = optionalString(a2a, "fabricObjectId", path);
  if (!vmId) throw invalid(`${path}.fabricObjectId`, "must be the id of the VM to protect");
  checkDisks(a2a, "vmDisks");
  checkDisks(a2a, "vmManagedDisks");
  const recoveryContainerId = optionalString(a2a, "recoveryContainerId", path);
  const recoveryResourceGroup = resourceGroupOf(
    optionalString(a2a, "recoveryResourceGroupId", path),
    `${path}.recoveryResourceGroupId`,
  );
  return {
    vmId,
    input: {
      policyId: props.policyId,
      ...(recoveryContainerId ? { recoveryContainerId } : {}),
      ...(recoveryResourceGroup ? { recoveryResourceGroup } : {}),
    },
  };
}
