// A vault's replication policies and protection container mappings. In A2A a mapping pairs
// one region's protection container with the other's under a policy: enabling protection
// goes through the mapping from the VM's container, a reprotect through the one from the
// container of the region the VM now runs in back to the other.
import type { Container } from "./model.ts";
import type { ReplicationPolicyTopology } from "./topology.ts";

export interface ReplicationPolicy {
  readonly name: string;
  readonly id: string;
  readonly recoveryPointHistoryMinutes: number;
  readonly appConsistentFrequencyMinutes: number;
}

export interface ContainerMapping {
  readonly name: string;
  readonly id: string;
  readonly source: Container;
  readonly target: Container;
  readonly policy: ReplicationPolicy;
}

export function policyOf(vaultId: string, spec: ReplicationPolicyTopology): ReplicationPolicy {
  return { ...spec, id: `${vaultId}/replicationPolicies/${spec.name}` };
}

/** The mapping from `source` to `target` (either container, either way round) under `policy`. */
export function containerMapping(
  source: Container,
  target: Container,
  policy: ReplicationPolicy,
): ContainerMapping {
  const name = `${source.fabric.location}-${target.fabric.location}-${policy.name}`;
  return {
    name,
    id: `${source.id}/replicationProtectionContainerMappings/${name}`,
    source,
    target,
    policy,
  };
}

/** The mapping that leaves `source` for the container `targetId` under the policy `policyId`. */
export function findMapping(
  mappings: readonly ContainerMapping[],
  source: Container,
  targetId: string,
  policyId: string,
): ContainerMapping | undefined {
  return mappings.find(
    (m) =>
      m.source === source &&
      m.target.id.toLowerCase() === targetId.toLowerCase() &&
      m.policy.id.toLowerCase() === policyId.toLowerCase(),
  );
}
