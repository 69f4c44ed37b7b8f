// A topology with a Recovery Services vault for the Site Recovery, fault and throttling
// tests: vm-a and vm-b of hp-weu (West Europe) protected into rg-neu (North Europe), vm-c
// not yet protected, a recovery plan with one boot group per VM; and the paths and raw
// requests the wire tests share.
import { afterEach, vi } from "vitest";
import type { ProtectedItemRef, RecoveryPlanRef, VaultRef } from "../../src/azure/gateways.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import type { Topology } from "../../src/sim/topology.ts";
import { armToken, ids, type RawResponse, raw, smallTopology, timeScale } from "./fixtures.ts";

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
export const recoveryFabric = "asr-a2a-default-northeurope";
export const recoveryContainer = `${recoveryFabric}-container`;
export const item = (name: string): ProtectedItemRef => ({
  ...vault,
  fabric: primaryFabric,
  container: primaryContainer,
  item: name,
});
export const plan: RecoveryPlanRef = { ...vault, recoveryPlan: "rp-avd" };
export const testNetwork = `/subscriptions/${ids.subscription}/resourceGroups/rg-neu/providers/Microsoft.Network/virtualNetworks/vnet-test`;
export const vaultPath = `/subscriptions/${ids.subscription}/resourceGroups/rg-neu/providers/Microsoft.RecoveryServices/vaults/rsv-avd`;
export const containerId = (fabric: string) =>
  `${vaultPath}/replicationFabrics/${fabric}/replicationProtectionContainers/${fabric}-container`;
export const policyId = `${vaultPath}/replicationPolicies/24-hour-retention-policy`;
export const itemPath = (name: string, fabric = primaryFabric) =>
  `${containerId(fabric)}/replicationProtectedItems/${name}`;
export const planPath = `${vaultPath}/replicationRecoveryPlans/rp-avd`;

const v = "api-version=2023-06-01";

/** Raw calls to the vault's Site Recovery paths at the SDK's api-version. */
export function siteRecoveryWire(sim: RunningSim, token: string) {
  const url = (path: string) => `${path}${path.includes("?") ? "&" : "?"}${v}`;
  return {
    sim,
    get: (path: string) => raw(sim, "GET", url(path), { token }),
    post: (path: string, body?: unknown) =>
      raw(sim, "POST", url(path), { token, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
    put: (path: string, body: unknown) => raw(sim, "PUT", url(path), { token, body: JSON.stringify(body) }),
    /** GET of a URL the emulator handed out (a polling URL), with the token. */
    follow: (fullUrl: string) => raw(sim, "GET", fullUrl, { token }),
    /** The job a 202 started, read from its Location (`…/operationresults/{job}`). */
    jobOf: (res: RawResponse) => String(res.headers.location).split("/operationresults/")[1]!.split("?")[0]!,
    /** Waits (in scaled time) until the job has ended; returns its body. */
    async finished(job: string) {
      let body: RawResponse["body"];
      await vi.waitFor(
        async () => {
          body = (await raw(sim, "GET", url(`${vaultPath}/replicationJobs/${job}`), { token })).body;
          if (body.properties.state === "InProgress") throw new Error(`job ${job} still runs`);
        },
        { timeout: 10_000, interval: 20 },
      );
      return body;
    },
  };
}

/** Starts emulators for a test file, each with its wire (`wire.sim`), and closes them after each test. */
export function siteRecoverySims() {
  const sims: RunningSim[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  return async (topology: Topology = siteRecoveryTopology(), scale = timeScale) => {
    const sim = await startSim({ topology, timeScale: scale });
    sims.push(sim);
    return siteRecoveryWire(sim, await armToken(sim));
  };
}

/** An unplanned failover's body for an item: the A2A input has only recoveryPointId. */
export const itemFailover = (direction = "PrimaryToRecovery", a2a: Record<string, unknown> = {}) => ({
  properties: {
    failoverDirection: direction,
    sourceSiteOperations: "NotRequired",
    providerSpecificDetails: { instanceType: "A2A" as const, ...a2a },
  },
});
