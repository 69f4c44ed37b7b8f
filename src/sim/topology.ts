// The emulator's seed: one subscription's resource groups, VMs, host pools, session hosts,
// users in session, and how long Azure takes for each operation. Loaded from YAML and
// checked field by field, so a bad file fails with the path of the bad field and the fix.
import { readFile } from "node:fs/promises";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { ComputeThrottlingSchema } from "./compute-throttling-schema.ts";
import { FaultsSchema } from "./faults-schema.ts";
import { SiteRecoverySchema, siteRecoveryProblems } from "./site-recovery/topology.ts";
import { ThrottlingSchema } from "./throttling-schema.ts";

const Name = Type.String({
  minLength: 1,
  maxLength: 90,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  description: "a resource name: letters, digits, '.', '_', '-', at most 90",
});
const Guid = Type.String({
  pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  description: "a GUID, e.g. 5d2a7c1e-0000-4000-8000-00000000a001",
});
const Seconds = Type.Number({ minimum: 0 });
const oneOf = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const PowerStates = ["running", "stopped", "deallocated"] as const;
const SessionStates = ["Active", "Disconnected"] as const;

const UserSession = Type.Object(
  {
    user: Type.String({ minLength: 1, description: "user principal name, e.g. alice@contoso.com" }),
    state: Type.Optional(oneOf(SessionStates)),
  },
  { additionalProperties: false },
);

const SessionHost = Type.Object(
  {
    vm: Type.String({
      minLength: 1,
      description: "VM name in the same resource group, or resourceGroup/vmName",
    }),
    allowNewSession: Type.Optional(Type.Boolean()),
    assignedUser: Type.Optional(Type.String()),
    sessions: Type.Optional(Type.Array(UserSession)),
  },
  { additionalProperties: false },
);

const HostPool = Type.Object(
  {
    name: Name,
    hostPoolType: oneOf(["Pooled", "Personal"] as const),
    loadBalancerType: Type.Optional(oneOf(["BreadthFirst", "DepthFirst", "Persistent"] as const)),
    personalDesktopAssignmentType: Type.Optional(oneOf(["Automatic", "Direct"] as const)),
    maxSessionLimit: Type.Optional(Type.Integer({ minimum: 1 })),
    friendlyName: Type.Optional(Type.String()),
    sessionHosts: Type.Optional(Type.Array(SessionHost)),
  },
  { additionalProperties: false },
);

const VirtualMachine = Type.Object(
  {
    name: Name,
    size: Type.Optional(Type.String()),
    powerState: Type.Optional(oneOf(PowerStates)),
    tags: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

const ApplicationGroup = Type.Object(
  {
    name: Name,
    hostPool: Name,
    applicationGroupType: Type.Optional(oneOf(["Desktop", "RemoteApp"] as const)),
  },
  { additionalProperties: false },
);

const Workspace = Type.Object(
  { name: Name, applicationGroups: Type.Optional(Type.Array(Name)) },
  { additionalProperties: false },
);

const ResourceGroup = Type.Object(
  {
    name: Name,
    location: Type.String({ pattern: "^[a-z0-9]+$", description: "an Azure region name, e.g. westeurope" }),
    virtualMachines: Type.Optional(Type.Array(VirtualMachine)),
    hostPools: Type.Optional(Type.Array(HostPool)),
    applicationGroups: Type.Optional(Type.Array(ApplicationGroup)),
    workspaces: Type.Optional(Type.Array(Workspace)),
  },
  { additionalProperties: false },
);

const Principal = Type.Object(
  {
    clientId: Guid,
    clientSecret: Type.Optional(Type.String({ minLength: 8 })),
    federatedSubjects: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

/** Simulated seconds each thing takes in Azure; scaled by the time scale at run time. */
const Durations = Type.Object(
  {
    vmStart: Type.Optional(Seconds),
    vmDeallocate: Type.Optional(Seconds),
    vmPowerOff: Type.Optional(Seconds),
    agentBoot: Type.Optional(Seconds),
    tokenLifetime: Type.Optional(Seconds),
  },
  { additionalProperties: false },
);

export const TopologySchema = Type.Object(
  {
    subscriptionId: Guid,
    tenantId: Guid,
    startTime: Type.Optional(Type.String({ description: "ISO 8601 time, e.g. 2026-11-26T08:00:00Z" })),
    domain: Type.Optional(Type.String({ minLength: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    principals: Type.Array(Principal, {
      minItems: 1,
      description: "at least one service principal {clientId, clientSecret?, federatedSubjects?}",
    }),
    durations: Type.Optional(Durations),
    resourceGroups: Type.Array(ResourceGroup),
    siteRecovery: Type.Optional(SiteRecoverySchema),
    throttling: Type.Optional(ThrottlingSchema),
    computeThrottling: Type.Optional(ComputeThrottlingSchema),
    faults: Type.Optional(FaultsSchema),
  },
  { additionalProperties: false },
);

export type Topology = Static<typeof TopologySchema>;
export type TopologyDurations = Required<Static<typeof Durations>>;

export const defaultDurations: TopologyDurations = {
  vmStart: 45,
  vmDeallocate: 60,
  vmPowerOff: 30,
  agentBoot: 90,
  tokenLifetime: 3600,
};

export class TopologyError extends Error {
  override name = "TopologyError";
}

/** Reads and checks a topology file; throws TopologyError naming the file and field. */
export async function loadTopology(file: string): Promise<Topology> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new TopologyError(`topology ${file}: ${(error as Error).message}`);
  }
  return checkTopology(raw, file);
}

export function checkTopology(raw: unknown, source = "topology"): Topology {
  const problems = [...schemaProblems(TopologySchema, raw)];
  if (problems.length === 0)
    problems.push(...referenceProblems(raw as Topology), ...siteRecoveryProblems(raw as Topology));
  if (problems.length > 0) {
    throw new TopologyError(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return raw as Topology;
}

export function* schemaProblems(schema: TSchema, raw: unknown): Generator<string> {
  let count = 0;
  for (const error of Value.Errors(schema, raw)) {
    if (count++ === 10) return;
    const field = error.path === "" ? "(top level)" : error.path.slice(1);
    const allowed = literals(error.schema);
    const got = typeof error.value === "object" ? "" : ` (got ${JSON.stringify(error.value)})`;
    if (allowed) yield `${field}: use one of ${allowed.join(", ")}${got}`;
    else if (error.message === "Unexpected property")
      yield `${field}: unknown field; remove it or check its spelling`;
    else if (error.schema.description) yield `${field}: expected ${error.schema.description}${got}`;
    else yield `${field}: ${error.message}${got}`;
  }
}

function literals(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf?.every((s) => "const" in s)) return undefined;
  return anyOf.map((s) => String((s as unknown as { const: unknown }).const));
}

// What the schema cannot say: names unique, references resolvable, one pool per VM.
function referenceProblems(topology: Topology): string[] {
  const problems: string[] = [];
  if (topology.startTime !== undefined && Number.isNaN(Date.parse(topology.startTime))) {
    problems.push(
      `startTime: "${topology.startTime}" is not a time; use ISO 8601, e.g. 2026-11-26T08:00:00Z`,
    );
  }
  const vms = new Set<string>();
  const groups = new Set<string>();
  topology.resourceGroups.forEach((rg, i) => {
    if (groups.has(rg.name.toLowerCase()))
      problems.push(`resourceGroups/${i}/name: "${rg.name}" is repeated`);
    groups.add(rg.name.toLowerCase());
    for (const vm of rg.virtualMachines ?? []) vms.add(`${rg.name}/${vm.name}`.toLowerCase());
  });
  const pooled = new Map<string, string>();
  topology.resourceGroups.forEach((rg, i) => {
    const pools = new Set((rg.hostPools ?? []).map((p) => p.name.toLowerCase()));
    (rg.hostPools ?? []).forEach((pool, j) => {
      (pool.sessionHosts ?? []).forEach((host, k) => {
        const at = `resourceGroups/${i}/hostPools/${j}/sessionHosts/${k}/vm`;
        const ref = vmReference(rg.name, host.vm).toLowerCase();
        if (!vms.has(ref)) {
          problems.push(
            `${at}: no virtual machine "${host.vm}"; declare it under a resource group's virtualMachines`,
          );
        } else if (pooled.has(ref)) {
          problems.push(`${at}: VM "${host.vm}" is already a session host of ${pooled.get(ref)}`);
        }
        pooled.set(ref, pool.name);
      });
    });
    const groupNames = new Set<string>();
    (rg.applicationGroups ?? []).forEach((group, j) => {
      groupNames.add(group.name.toLowerCase());
      if (!pools.has(group.hostPool.toLowerCase())) {
        problems.push(
          `resourceGroups/${i}/applicationGroups/${j}/hostPool: no host pool "${group.hostPool}" in resource group ${rg.name}`,
        );
      }
    });
    (rg.workspaces ?? []).forEach((ws, j) => {
      (ws.applicationGroups ?? []).forEach((name, k) => {
        if (!groupNames.has(name.toLowerCase())) {
          problems.push(
            `resourceGroups/${i}/workspaces/${j}/applicationGroups/${k}: no application group "${name}" in resource group ${rg.name}`,
          );
        }
      });
    });
  });
  return problems;
}

/** "vm" means a VM of `resourceGroup`; "rg/vm" names another resource group's VM. */
export function vmReference(resourceGroup: string, ref: string): string {
  return ref.includes("/") ? ref : `${resourceGroup}/${ref}`;
}
