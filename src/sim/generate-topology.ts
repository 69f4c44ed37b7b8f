// Large topologies for benchmarks and rehearsals: N host pools × M session hosts × K users,
// laid out for one of the three strategies of the design (Site Recovery protecting every
// session-host VM, a deallocated standby pool per pool, or one pool shared by both regions).
// The result passes the same checks as a topology file.
import { checkTopology, type Topology } from "./topology.ts";

export type Strategy = "SiteRecovery" | "StandbyHostPool" | "SharedHostPool";
export const strategies: readonly Strategy[] = ["SiteRecovery", "StandbyHostPool", "SharedHostPool"];

export interface GenerateTopology {
  hostPools: number;
  hostsPerPool: number;
  sessionsPerHost: number;
  strategy: Strategy;
  /** How many of the pools are personal (one assigned user per host); the rest are pooled. */
  personalPools?: number;
  primaryLocation?: string;
  recoveryLocation?: string;
}

type Vm = NonNullable<Topology["resourceGroups"][number]["virtualMachines"]>[number];
type Pool = NonNullable<Topology["resourceGroups"][number]["hostPools"]>[number];

const ids = {
  subscriptionId: "5d2a7c1e-0000-4000-8000-00000000b001",
  tenantId: "5d2a7c1e-0000-4000-8000-00000000e001",
  clientId: "5d2a7c1e-0000-4000-8000-00000000c001",
};

export function generateTopology(options: GenerateTopology): Topology {
  const { hostPools, hostsPerPool, sessionsPerHost, strategy } = options;
  const personal = options.personalPools ?? 0;
  for (const [field, value] of Object.entries({
    hostPools,
    hostsPerPool,
    sessionsPerHost,
    personalPools: personal,
  })) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${field}: a whole number, 0 or more (got ${value})`);
  }
  if (personal > hostPools)
    throw new Error(`personalPools: at most hostPools (${hostPools}), got ${personal}`);
  if (!strategies.includes(strategy))
    throw new Error(`strategy: one of ${strategies.join(", ")} (got ${strategy})`);
  const primary = options.primaryLocation ?? "westeurope";
  const recovery = options.recoveryLocation ?? "northeurope";
  const primaryRg = `rg-avd-${primary}`;
  const recoveryRg = `rg-avd-${recovery}`;

  const primaryVms: Vm[] = [];
  const recoveryVms: Vm[] = [];
  const primaryPools: Pool[] = [];
  const recoveryPools: Pool[] = [];
  for (let p = 0; p < hostPools; p++) {
    const isPersonal = p < personal;
    const hosts: NonNullable<Pool["sessionHosts"]> = [];
    const standbyHosts: NonNullable<Pool["sessionHosts"]> = [];
    for (let h = 0; h < hostsPerPool; h++) {
      const vm = `vm-${p}-${h}`;
      primaryVms.push({ name: vm });
      const users = isPersonal ? Math.min(1, sessionsPerHost) : sessionsPerHost;
      const sessions = Array.from({ length: users }, (_, u) => ({ user: `user-${p}-${h}-${u}@contoso.com` }));
      hosts.push({
        vm,
        ...(isPersonal ? { assignedUser: `user-${p}-${h}-0@contoso.com` } : {}),
        ...(sessions.length > 0 ? { sessions } : {}),
      });
      if (strategy !== "SiteRecovery") {
        const standby = `vm-${p}-${h}-dr`;
        recoveryVms.push({ name: standby, powerState: "deallocated" });
        // Shared pools keep the recovery-region hosts in drain mode until a failover.
        (strategy === "SharedHostPool" ? hosts : standbyHosts).push({
          vm: strategy === "SharedHostPool" ? `${recoveryRg}/${standby}` : standby,
          ...(strategy === "SharedHostPool" ? { allowNewSession: false } : {}),
          ...(isPersonal ? { assignedUser: `user-${p}-${h}-0@contoso.com` } : {}),
        });
      }
    }
    const pool = (name: string, sessionHosts: NonNullable<Pool["sessionHosts"]>): Pool => ({
      name,
      hostPoolType: isPersonal ? "Personal" : "Pooled",
      ...(isPersonal
        ? { personalDesktopAssignmentType: "Direct" as const }
        : { loadBalancerType: "BreadthFirst" as const, maxSessionLimit: Math.max(10, sessionsPerHost * 2) }),
      sessionHosts,
    });
    primaryPools.push(pool(`hp-${p}`, hosts));
    if (strategy === "StandbyHostPool") recoveryPools.push(pool(`hp-${p}-dr`, standbyHosts));
  }

  const groupsAndWorkspace = (pools: Pool[], suffix: string) => ({
    applicationGroups: pools.map((p) => ({ name: `ag-${p.name}`, hostPool: p.name })),
    workspaces: [{ name: `ws-avd-${suffix}`, applicationGroups: pools.map((p) => `ag-${p.name}`) }],
  });
  const topology = {
    subscriptionId: ids.subscriptionId,
    tenantId: ids.tenantId,
    startTime: "2026-11-26T08:00:00Z",
    domain: "contoso.local",
    principals: [{ clientId: ids.clientId, clientSecret: "sim-secret-not-for-production" }],
    resourceGroups: [
      {
        name: primaryRg,
        location: primary,
        virtualMachines: primaryVms,
        hostPools: primaryPools,
        ...(primaryPools.length > 0 ? groupsAndWorkspace(primaryPools, primary) : {}),
      },
      {
        name: recoveryRg,
        location: recovery,
        ...(recoveryVms.length > 0 ? { virtualMachines: recoveryVms } : {}),
        ...(recoveryPools.length > 0
          ? { hostPools: recoveryPools, ...groupsAndWorkspace(recoveryPools, recovery) }
          : {}),
      },
    ],
    ...(strategy === "SiteRecovery"
      ? {
          siteRecovery: {
            vaults: [
              {
                name: `rsv-avd-${recovery}`,
                resourceGroup: recoveryRg,
                primaryLocation: primary,
                recoveryLocation: recovery,
                recoveryResourceGroup: recoveryRg,
                protectedVms: primaryVms.map((vm) => `${primaryRg}/${vm.name}`),
                // One boot group per host pool.
                ...(hostsPerPool > 0 && hostPools > 0
                  ? {
                      recoveryPlans: [
                        {
                          name: "rp-avd",
                          groups: primaryPools.map((p) =>
                            (p.sessionHosts ?? []).map((h) => `${primaryRg}/${h.vm}`),
                          ),
                        },
                      ],
                    }
                  : {}),
              },
            ],
          },
        }
      : {}),
  };
  return checkTopology(topology, `generated ${strategy} topology`);
}
