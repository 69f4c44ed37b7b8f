// A Recovery Services vault as the topology declares it: one fabric and one protection
// container per region, the replication policy, the container mappings both ways round, and
// the VMs protected at start with the recovery plans over them.
import type { World } from "../world.ts";
import type { Container, Fabric, ProtectedItem, Vault } from "./model.ts";
import { containerMapping, policyOf, type ReplicationPolicy } from "./policies.ts";
import { defaultReplicationPolicy, type VaultTopology } from "./topology.ts";

export function seedVault(
  world: World,
  v: VaultTopology,
  addItem: (vault: Vault, vmRef: string, policy: ReplicationPolicy) => ProtectedItem,
): Vault {
  const id = `${world.resourceGroupId(v.resourceGroup)}/providers/Microsoft.RecoveryServices/vaults/${v.name}`;
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
  const policy = policyOf(id, { ...defaultReplicationPolicy, ...v.replicationPolicy });
  const primary = fabric(v.primaryLocation);
  const recovery = fabric(v.recoveryLocation);
  const vault: Vault = {
    name: v.name,
    id,
    resourceGroup: v.resourceGroup,
    location: v.recoveryLocation,
    primary,
    recovery,
    recoveryResourceGroup: v.recoveryResourceGroup,
    recoveryNetworkId:
      v.recoveryNetworkId ??
      `${world.resourceGroupId(v.recoveryResourceGroup)}/providers/Microsoft.Network/virtualNetworks/vnet-${v.recoveryLocation}`,
    policies: new Map([[policy.name.toLowerCase(), policy]]),
    mappings: [
      containerMapping(primary.container, recovery.container, policy),
      containerMapping(recovery.container, primary.container, policy),
    ],
    items: new Map(),
    plans: new Map(),
    jobs: new Map(),
  };
  world.otherResources.set(id.toLowerCase(), {
    id,
    name: v.name,
    type: "Microsoft.RecoveryServices/vaults",
    location: vault.location,
    resourceGroup: v.resourceGroup,
  });
  const byVm = new Map<string, ProtectedItem>();
  for (const ref of v.protectedVms ?? []) byVm.set(ref.toLowerCase(), addItem(vault, ref, policy));
  for (const p of v.recoveryPlans ?? []) {
    vault.plans.set(p.name.toLowerCase(), {
      name: p.name,
      id: `${id}/replicationRecoveryPlans/${p.name}`,
      vault,
      groups: p.groups.map((g) => g.map((ref) => byVm.get(ref.toLowerCase())!)),
    });
  }
  return vault;
}
