// What keeping a plan's posture costs when nothing changes: ARM calls and wall time per steady
// observation of one plan at 100, 1,000 and 5,000 session hosts (10 host pools), against the
// minimum number of list pages that inventory needs, and per hour at the plan's default observe
// interval against ARM's hourly read budget. The plan's real observer (src/reconcilers/posture)
// reads the emulator through the real gateways and SDK clients, in this process.
//
//   node bench/steady-state.ts [--sizes 100,1000,5000] [--strategies SiteRecovery,StandbyHostPool]
import { parseArgs } from "node:util";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  PLAN_DEFAULTS,
  PLAN_KIND,
  parseDuration,
} from "../src/api/index.ts";
import { scaledRetry } from "../src/azure/connection.ts";
import { silentLog } from "../src/controller/logger.ts";
import { AzureAccess } from "../src/reconcilers/azure-access.ts";
import { scaledClock } from "../src/reconcilers/clock.ts";
import { PlanPosture } from "../src/reconcilers/posture/observer.ts";
import { generateTopology, type Strategy } from "../src/sim/generate-topology.ts";
import { startSim } from "../src/sim/server.ts";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000,5000" },
    strategies: { type: "string", default: "SiteRecovery,StandbyHostPool,SharedHostPool" },
  },
});
const POOLS = 10;
const OBSERVATIONS = 5;
/** ARM's documented hourly read limit per principal and subscription (before token buckets). */
const HOURLY_READS = 12_000;
const out = (line: string) => process.stdout.write(`${line}\n`);
const results: Record<string, unknown>[] = [];

out(
  `${"strategy".padEnd(16)} ${"hosts".padStart(6)} ${"reads".padStart(6)} ${"minimum".padStart(8)} ${"ratio".padStart(6)} ${"ms".padStart(6)} ${"reads/h".padStart(8)} ${"% of 12k/h".padStart(10)}`,
);
for (const strategy of args.strategies!.split(",") as Strategy[]) {
  for (const hosts of args.sizes!.split(",").map(Number)) {
    const topology = generateTopology({
      hostPools: POOLS,
      hostsPerPool: hosts / POOLS,
      sessionsPerHost: 1,
      strategy,
    });
    const sim = await startSim({ topology, timeScale: 0.001 });
    try {
      const pools = Array.from({ length: POOLS }, (_, p) => `hp-${p}`);
      const plan: AvdDisasterRecoveryPlan = {
        apiVersion: API_VERSION,
        kind: PLAN_KIND,
        metadata: { name: "steady", namespace: "bench" },
        spec: {
          subscriptionId: sim.info.subscriptionId,
          cloud: { armEndpoint: sim.info.armEndpoint, authorityHost: sim.info.authorityHost },
          strategy,
          primary: { location: "westeurope", resourceGroup: "rg-avd-westeurope", hostPools: pools },
          secondary: {
            location: "northeurope",
            resourceGroup: "rg-avd-northeurope",
            hostPools: strategy === "StandbyHostPool" ? pools.map((p) => `${p}-dr`) : pools,
          },
          ...(strategy === "SiteRecovery"
            ? {
                siteRecovery: {
                  vaultName: "rsv-avd-northeurope",
                  vaultResourceGroup: "rg-avd-northeurope",
                  recoveryPlanName: "rp-avd",
                },
              }
            : {}),
        },
        status: { activeRegion: "Primary" },
      };
      const access = new AzureAccess({
        armEndpoint: sim.info.armEndpoint,
        authorityHost: sim.info.authorityHost,
        caPem: sim.caPem,
        pacing: sim.info.pacing,
        retry: scaledRetry(sim.info.clock.timeScale),
      });
      const posture = new PlanPosture({
        access,
        livePlans: { get: async () => plan },
        clock: scaledClock(sim.info.clock),
        events: { record: () => undefined },
        log: silentLog,
      });
      const credentials = {
        tenantId: sim.info.tenantId,
        clientId: sim.info.clientId,
        clientSecret: sim.info.clientSecret,
      };
      // The first observations put the standby hosts in drain mode (a few hundred a pass); then the plan is steady.
      for (let i = 0; i < 50 && (await posture.observe(plan, credentials)).health.state !== "Ready"; i++);
      const before = sim.state.counters.total();
      const started = performance.now();
      let health = "";
      for (let i = 0; i < OBSERVATIONS; i++) health = (await posture.observe(plan, credentials)).health.state;
      const ms = (performance.now() - started) / OBSERVATIONS;
      const reads = (sim.state.counters.total() - before) / OBSERVATIONS;
      if (health !== "Ready") throw new Error(`${strategy} ${hosts}: the plan is ${health}, not steady`);
      // The least a steady look can read: every list's pages, once.
      const page = sim.state.pageSize;
      const pages = (n: number) => Math.ceil(n / page);
      const perPool = hosts / POOLS;
      const minimum =
        strategy === "SiteRecovery"
          ? POOLS * pages(perPool) + pages(hosts) + pages(hosts) + 1
          : strategy === "StandbyHostPool"
            ? 2 * POOLS * pages(perPool) + 2 * pages(hosts) + 2
            : POOLS * pages(2 * perPool) + 2 * pages(hosts);
      const perHour = (reads * 3_600_000) / parseDuration(PLAN_DEFAULTS.observeInterval);
      out(
        `${strategy.padEnd(16)} ${String(hosts).padStart(6)} ${reads.toFixed(0).padStart(6)} ${String(minimum).padStart(8)} ${(reads / minimum).toFixed(2).padStart(6)} ${ms.toFixed(0).padStart(6)} ${perHour.toFixed(0).padStart(8)} ${((100 * perHour) / HOURLY_READS).toFixed(2).padStart(10)}`,
      );
      results.push({
        strategy,
        hosts,
        reads,
        minimumReads: minimum,
        msPerObservation: Math.round(ms),
        readsPerHour: Math.round(perHour),
        shareOfHourlyReads: Number((perHour / HOURLY_READS).toFixed(4)),
      });
    } finally {
      await sim.close();
    }
  }
}
out(`(observe interval ${PLAN_DEFAULTS.observeInterval}, page size ${100}; reads/h at that interval)`);
for (const r of results) out(JSON.stringify(r));
