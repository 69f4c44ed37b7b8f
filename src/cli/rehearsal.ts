// A rehearsal against the ARM emulator, set up as a user would: the plan and credentials Secret
// that match one of the topologies in config/sim/, pointed at the emulator through spec.cloud.
// The regions map to a topology the natural way: SiteRecovery's primary is the resource group
// holding the pools and its secondary the vault's recovery resource group (same pool names);
// StandbyHostPool's regions are each their own group and pools; SharedHostPool's primary names
// the group holding the shared pool and its secondary the group of the failover-region VMs.
import type { V1Secret } from "@kubernetes/client-node";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanSpec,
  PLAN_KIND,
  type Strategy,
} from "../api/index.ts";
import type { EmulatorInfo } from "../azure/connection.ts";

export const TOPOLOGY_FILES: Record<Strategy, string> = {
  SiteRecovery: "config/sim/site-recovery.yaml",
  StandbyHostPool: "config/sim/standby-host-pool.yaml",
  SharedHostPool: "config/sim/shared-host-pool.yaml",
};

const REGIONS: Record<
  Strategy,
  Pick<AvdDisasterRecoveryPlanSpec, "primary" | "secondary" | "siteRecovery">
> = {
  SiteRecovery: {
    primary: { location: "westeurope", resourceGroup: "rg-avd-weu", hostPools: ["hp-pooled", "hp-personal"] },
    secondary: {
      location: "northeurope",
      resourceGroup: "rg-avd-neu-asr",
      hostPools: ["hp-pooled", "hp-personal"],
    },
    siteRecovery: {
      vaultName: "rsv-avd-neu",
      vaultResourceGroup: "rg-avd-neu-asr",
      recoveryPlanName: "rp-avd",
    },
  },
  StandbyHostPool: {
    primary: { location: "westeurope", resourceGroup: "rg-avd-weu", hostPools: ["hp-weu"] },
    secondary: { location: "northeurope", resourceGroup: "rg-avd-neu", hostPools: ["hp-neu"] },
  },
  SharedHostPool: {
    primary: { location: "westeurope", resourceGroup: "rg-avd-weu", hostPools: ["hp-shared"] },
    secondary: { location: "northeurope", resourceGroup: "rg-avd-neu", hostPools: ["hp-shared"] },
  },
};

export const SECRET_NAME = "avd-dr-sim-principal";

/** The plan for a config/sim topology of `strategy`, reaching the emulator through spec.cloud. */
export function rehearsalPlan(
  strategy: Strategy,
  info: EmulatorInfo,
  options: { name?: string; namespace?: string; spec?: Partial<AvdDisasterRecoveryPlanSpec> } = {},
): AvdDisasterRecoveryPlan {
  return {
    apiVersion: API_VERSION,
    kind: PLAN_KIND,
    metadata: {
      name: options.name ?? `rehearsal-${strategy.toLowerCase()}`,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    },
    spec: {
      subscriptionId: info.subscriptionId,
      credentials: { secretRef: { name: SECRET_NAME } },
      cloud: { armEndpoint: info.armEndpoint, authorityHost: info.authorityHost },
      strategy,
      ...structuredClone(REGIONS[strategy]),
      ...options.spec,
    },
  };
}

/** The Secret with the emulator's service principal, as spec.credentials.secretRef expects it. */
export function rehearsalSecret(info: EmulatorInfo, namespace?: string): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: SECRET_NAME, ...(namespace ? { namespace } : {}) },
    type: "Opaque",
    stringData: { tenantId: info.tenantId, clientId: info.clientId, clientSecret: info.clientSecret },
  };
}
