// The Site Recovery part of a topology: Recovery Services vaults that replicate VMs of a
// primary region to a recovery region (Azure-to-Azure), their recovery plans, and how long
// the service takes for each step. Checked like the rest of the topology: a bad reference
// names the field and the fix.
import { type Static, Type } from "@sinclair/typebox";

const Name = Type.String({
  minLength: 1,
  maxLength: 90,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  description: "a resource name: letters, digits, '.', '_', '-', at most 90",
});
const Region = Type.String({ pattern: "^[a-z0-9]+$", description: "an Azure region name, e.g. northeurope" });
const Seconds = Type.Number({ minimum: 0 });
const VmRef = Type.String({ minLength: 1, description: "a VM as resourceGroup/vmName" });

const RecoveryPlan = Type.Object(
  {
    name: Name,
    groups: Type.Array(Type.Array(VmRef, { minItems: 1 }), {
      minItems: 1,
      description: "boot groups in order, each a list of protected VMs as resourceGroup/vmName",
    }),
  },
  { additionalProperties: false },
);

/** The vault's A2A replication policy; the protection container mappings pair both regions under it. */
const ReplicationPolicy = Type.Object(
  {
    name: Type.Optional(Name),
    recoveryPointHistoryMinutes: Type.Optional(
      Type.Integer({ minimum: 0, description: "how long recovery points are kept, in minutes" }),
    ),
    appConsistentFrequencyMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "an app-consistent recovery point every so many minutes; 0: none",
      }),
    ),
  },
  { additionalProperties: false },
);

const Vault = Type.Object(
  {
    name: Name,
    resourceGroup: Name,
    primaryLocation: Region,
    recoveryLocation: Region,
    recoveryResourceGroup: Name,
    recoveryNetworkId: Type.Optional(Type.String({ minLength: 1 })),
    replicationPolicy: Type.Optional(ReplicationPolicy),
    protectedVms: Type.Optional(
      Type.Array(VmRef, { description: "VMs already protected (replication healthy) at start" }),
    ),
    recoveryPlans: Type.Optional(Type.Array(RecoveryPlan)),
  },
  { additionalProperties: false },
);

/** Simulated seconds each Site Recovery step takes. */
const SiteRecoveryDurations = Type.Object(
  {
    initialReplication: Type.Optional(Seconds),
    prerequisites: Type.Optional(Seconds),
    failover: Type.Optional(Seconds),
    commit: Type.Optional(Seconds),
    reprotect: Type.Optional(Seconds),
    testFailoverCleanup: Type.Optional(Seconds),
    /** Replication sends changes every cycle; RPO rises within it and drops at each sync. */
    replicationCycle: Type.Optional(Seconds),
    /** A crash-consistent recovery point is kept every interval. */
    recoveryPointInterval: Type.Optional(Seconds),
  },
  { additionalProperties: false },
);

export const SiteRecoverySchema = Type.Object(
  { durations: Type.Optional(SiteRecoveryDurations), vaults: Type.Array(Vault) },
  { additionalProperties: false },
);

export type SiteRecoveryTopology = Static<typeof SiteRecoverySchema>;
export type VaultTopology = Static<typeof Vault>;
export type ReplicationPolicyTopology = Required<Static<typeof ReplicationPolicy>>;

/** What the portal creates for A2A: 24 hours of recovery points, an app-consistent one every 4 hours. */
export const defaultReplicationPolicy: ReplicationPolicyTopology = {
  name: "24-hour-retention-policy",
  recoveryPointHistoryMinutes: 24 * 60,
  appConsistentFrequencyMinutes: 4 * 60,
};
export type SiteRecoveryDurations = Required<Static<typeof SiteRecoveryDurations>>;

export const defaultSiteRecoveryDurations: SiteRecoveryDurations = {
  initialReplication: 1800,
  prerequisites: 10,
  failover: 120,
  commit: 30,
  reprotect: 900,
  testFailoverCleanup: 60,
  replicationCycle: 30,
  recoveryPointInterval: 300,
};

interface TopologyShape {
  resourceGroups: { name: string; location: string; virtualMachines?: { name: string }[] }[];
  siteRecovery?: SiteRecoveryTopology;
}

/** What the schema cannot say: groups and VMs exist, VMs sit in the primary region, one vault per VM. */
export function siteRecoveryProblems(topology: TopologyShape): string[] {
  const problems: string[] = [];
  const groups = new Map(topology.resourceGroups.map((rg) => [rg.name.toLowerCase(), rg]));
  const protectedBy = new Map<string, string>();
  topology.siteRecovery?.vaults.forEach((vault, i) => {
    const at = `siteRecovery/vaults/${i}`;
    for (const field of ["resourceGroup", "recoveryResourceGroup"] as const) {
      if (!groups.has(vault[field].toLowerCase()))
        problems.push(`${at}/${field}: no resource group "${vault[field]}"; declare it under resourceGroups`);
    }
    const vmProblem = (ref: string, path: string): string | undefined => {
      const [rgName, vmName] = ref.split("/");
      const rg = rgName ? groups.get(rgName.toLowerCase()) : undefined;
      if (!rg || !vmName || !rg.virtualMachines?.some((v) => v.name.toLowerCase() === vmName.toLowerCase()))
        return `${path}: no virtual machine "${ref}"; write it as resourceGroup/vmName of a declared VM`;
      if (rg.location !== vault.primaryLocation)
        return `${path}: VM "${ref}" is in ${rg.location}, not in the vault's primaryLocation ${vault.primaryLocation}`;
      return undefined;
    };
    (vault.protectedVms ?? []).forEach((ref, j) => {
      const problem = vmProblem(ref, `${at}/protectedVms/${j}`);
      if (problem) problems.push(problem);
      else if (protectedBy.has(ref.toLowerCase()))
        problems.push(
          `${at}/protectedVms/${j}: VM "${ref}" is already protected by ${protectedBy.get(ref.toLowerCase())}`,
        );
      protectedBy.set(ref.toLowerCase(), vault.name);
    });
    const protectedHere = new Set((vault.protectedVms ?? []).map((r) => r.toLowerCase()));
    (vault.recoveryPlans ?? []).forEach((plan, j) => {
      plan.groups.forEach((group, k) => {
        group.forEach((ref, l) => {
          if (!protectedHere.has(ref.toLowerCase()))
            problems.push(
              `${at}/recoveryPlans/${j}/groups/${k}/${l}: "${ref}" is not among this vault's protectedVms; add it there first`,
            );
        });
      });
    });
  });
  return problems;
}
