// What CEL cannot check about a plan: other objects (its credentials Secret, other plans
// claiming the same host pools), Azure's case-insensitive names, and whether a plan stored
// under an older, looser schema still fits the schema this operator was built with.
// Every problem names the field and says how to fix it.
import type { V1Secret } from "@kubernetes/client-node";
import {
  type AvdDisasterRecoveryPlan,
  AvdDisasterRecoveryPlanSpecSchema,
  type RegionSpec,
} from "../api/index.ts";
import { GUID_PATTERN } from "../api/schema-kit.ts";
import { checkAgainstSchema } from "../controller/schema-check.ts";
import { keyOf, type StoreReader } from "../controller/store.ts";
import { creationOrder, hostPoolKey, PLANS_BY_HOST_POOL } from "./indexes.ts";

export interface PlanProblem {
  /** CamelCase reason for the Stalled condition. */
  reason: string;
  message: string;
}

export interface AzureCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface PlanContext {
  secrets: StoreReader<V1Secret>;
  plans: StoreReader<AvdDisasterRecoveryPlan>;
}

export const SECRET_KEYS = ["tenantId", "clientId", "clientSecret"] as const;

/**
 * What the operator keeps of a Secret in its cache: its identity and the three keys a plan's
 * credentials need. Other Secrets' contents (and other keys) are never held in memory.
 */
export function credentialKeysOnly(secret: V1Secret): V1Secret {
  const { name, namespace, uid, resourceVersion } = secret.metadata ?? {};
  const data: Record<string, string> = {};
  for (const key of SECRET_KEYS) {
    const value = secret.data?.[key];
    if (value !== undefined) data[key] = value;
  }
  return { metadata: { name, namespace, uid, resourceVersion }, data };
}
const GUID = new RegExp(GUID_PATTERN);
const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/i;

export interface PlanValidation {
  problems: PlanProblem[];
  /** The plan's service principal; undefined means the operator's workload identity. */
  credentials?: AzureCredentials;
}

export function validatePlan(plan: AvdDisasterRecoveryPlan, ctx: PlanContext): PlanValidation {
  if (typeof plan.spec !== "object" || plan.spec === null) {
    return {
      problems: [
        { reason: "InvalidSpec", message: "spec is missing: write the plan's spec (see config/samples)" },
      ],
    };
  }
  const schemaProblems = checkAgainstSchema(AvdDisasterRecoveryPlanSpecSchema, plan.spec, "spec");
  if (schemaProblems.length > 0) {
    // Everything below assumes the spec's shape.
    return {
      problems: schemaProblems.map((p) => ({ reason: "InvalidSpec", message: `${p.field} ${p.message}` })),
    };
  }
  const secret = credentialProblems(plan, ctx.secrets);
  return {
    problems: [...hostPoolProblems(plan), ...claimProblems(plan, ctx.plans), ...secret.problems],
    credentials: secret.credentials,
  };
}

function hostPoolProblems(plan: AvdDisasterRecoveryPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const { primary, secondary, strategy } = plan.spec;
  for (const [field, region] of [
    ["spec.primary.hostPools", primary],
    ["spec.secondary.hostPools", secondary],
  ] as const) {
    const seen = new Map<string, string>();
    for (const pool of region.hostPools) {
      const first = seen.get(pool.toLowerCase());
      if (first !== undefined) {
        problems.push({
          reason: "DuplicateHostPool",
          message: `${field} lists ${first} and ${pool}, the same host pool (Azure names ignore case): remove one`,
        });
      }
      seen.set(pool.toLowerCase(), pool);
    }
  }
  if (strategy === "StandbyHostPool") {
    const primaryPools = new Set(primary.hostPools.map((p) => poolId(primary, p)));
    for (const pool of secondary.hostPools) {
      if (primaryPools.has(poolId(secondary, pool))) {
        problems.push({
          reason: "InvalidSpec",
          message: `spec.secondary.hostPools: ${pool} in resource group ${secondary.resourceGroup} is also a primary host pool; strategy StandbyHostPool needs a separate standby host pool (or use strategy SharedHostPool)`,
        });
      }
    }
  }
  return problems;
}

const poolId = (region: RegionSpec, pool: string) => `${region.resourceGroup}/${pool}`.toLowerCase();

/** Two plans driving the same host pool would fight; the older plan keeps it. */
function claimProblems(
  plan: AvdDisasterRecoveryPlan,
  plans: StoreReader<AvdDisasterRecoveryPlan>,
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const self = keyOf(plan);
  const { subscriptionId, primary, secondary } = plan.spec;
  const reported = new Set<string>();
  for (const [field, region] of [
    ["spec.primary.hostPools", primary],
    ["spec.secondary.hostPools", secondary],
  ] as const) {
    for (const pool of region.hostPools) {
      const owner = plans
        .byIndex(PLANS_BY_HOST_POOL, hostPoolKey(subscriptionId, region.resourceGroup, pool))
        .filter((other) => keyOf(other) !== self && !other.metadata?.deletionTimestamp)
        .filter((other) => creationOrder(other, plan) < 0)
        .sort(creationOrder)[0];
      if (!owner || reported.has(pool.toLowerCase())) continue;
      reported.add(pool.toLowerCase());
      problems.push({
        reason: "HostPoolClaimed",
        message: `${field}: host pool ${pool} in resource group ${region.resourceGroup} is already managed by AvdDisasterRecoveryPlan ${keyOf(owner)}; a host pool belongs to one plan: remove it here or from the other plan`,
      });
    }
  }
  return problems;
}

/** Reads the plan's service principal from its Secret. */
function credentialProblems(
  plan: AvdDisasterRecoveryPlan,
  secrets: StoreReader<V1Secret>,
): { problems: PlanProblem[]; credentials?: AzureCredentials } {
  const name = plan.spec.credentials?.secretRef.name;
  if (name === undefined) return { problems: [] };
  const namespace = plan.metadata.namespace;
  const secret = secrets.get(`${namespace}/${name}`);
  if (!secret) {
    return {
      problems: [
        {
          reason: "SecretNotFound",
          message: `spec.credentials.secretRef.name: Secret ${name} not found in namespace ${namespace}: create it with keys ${SECRET_KEYS.join(", ")}, or remove spec.credentials to use the operator's workload identity`,
        },
      ],
    };
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of SECRET_KEYS) {
    const encoded = secret.data?.[key];
    const value = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8").trim();
    if (value === "") missing.push(key);
    values[key] = value;
  }
  if (missing.length > 0) {
    return {
      problems: [
        {
          reason: "SecretKeyMissing",
          message: `Secret ${namespace}/${name} (spec.credentials.secretRef.name) has no value for ${missing.join(", ")}: add ${missing.length > 1 ? "these keys" : "this key"} to the Secret`,
        },
      ],
    };
  }
  const credentials = values as unknown as AzureCredentials;
  if (!GUID.test(credentials.tenantId) && !DOMAIN.test(credentials.tenantId)) {
    return {
      problems: [
        {
          reason: "SecretInvalid",
          message: `Secret ${namespace}/${name}: tenantId must be the Entra ID tenant's GUID or domain (such as contoso.onmicrosoft.com)`,
        },
      ],
    };
  }
  if (!GUID.test(credentials.clientId)) {
    return {
      problems: [
        {
          reason: "SecretInvalid",
          message: `Secret ${namespace}/${name}: clientId must be the application (client) id, a GUID`,
        },
      ],
    };
  }
  return { problems: [], credentials };
}
