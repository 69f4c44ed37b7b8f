// A topology with a Recovery Services vault for the Site Recovery, fault and throttling
// tests: vm-a and vm-b of hp-weu (West Europe) protected into rg-neu (North Europe), vm-c
// not yet protected, a recovery plan with one boot group per VM.
import type { ProtectedItemRef, RecoveryPlanRef, VaultRef } from "../../src/azure/gateways.ts";
import type { Topology } from "../../src/sim/topology.ts";
import { ids, smallTopology } from "./fixtures.ts";

export function siteRecoveryTopology(overrides: Partial<Topology> = {}): Topology {
  return smallTopology({
    siteRecovery: {
      durations: {
        initialReplication: 600,
        prerequisites: 5,
        failover: 60,
        commit: 10,
        reprotect: 300,
        testFailoverCleanup: 30,
        replicationCycle: 30,
        recoveryPointInterval: 300,
      },
      vaults: [
        {
          name: "rsv-avd",
          resourceGroup: "rg-neu",
          primaryLocation: "westeurope",
          recoveryLocation: "northeurope",
          recoveryResourceGroup: "rg-neu",
          protectedVms: ["rg-weu/vm-a", "rg-weu/vm-b"],
          recoveryPlans: [{ name: "rp-avd", groups: [["rg-weu/vm-a"], ["rg-weu/vm-b"]] }],
        },
      ],
    },
    ...overrides,
  });
}

export const vault: VaultRef = { resourceGroup: "rg-neu", vault: "rsv-avd" };
export const primaryFabric = "asr-a2a-default-westeurope";
export const primaryContainer = `${primaryFabric}-container`;
export const item = (name: string): ProtectedItemRef => ({
  ...vault,
  fabric: primaryFabric,
  container: primaryContainer,
  item: name,
});
export const plan: RecoveryPlanRef = { ...vault, recoveryPlan: "rp-avd" };
export const testNetwork = `/subscriptions/${ids.subscription}/resourceGroups/rg-neu/providers/Microsoft.Network/virtualNetworks/vnet-test`;
export const itemPath = (name: string) =>
  `/subscriptions/${ids.subscription}/resourceGroups/rg-neu/providers/Microsoft.RecoveryServices/vaults/rsv-avd/replicationFabrics/${primaryFabric}/replicationProtectionContainers/${primaryContainer}/replicationProtectedItems/${name}`;
