// What keeping a plan's posture costs when nothing changes: ARM calls and wall time per steady
// observation of one plan at 100, 1,000 and 5,000 session hosts (10 host pools), against the
// minimum number of list pages that inventory needs, and per hour at the plan's default observe
// interval against ARM's hourly read budget. The plan's real observer (src/reconcilers/posture)
// reads the emulator through the real gateways and SDK clients, in this process.
//
//   node bench/steady-state.ts [--sizes 100,1000,5000] [--strategies SiteRecovery,StandbyHostPool]
import { parseArgs } from "node:util";
import { type AvdDisasterRecoveryPlan, PLAN_DEFAULTS, parseDuration } from "../src/api/index.ts";
import { silentLog } from "../src/controller/logger.ts";
import { scaledClock } from "../src/reconcilers/clock.ts";
import { PlanPosture } from "../src/reconcilers/posture/observer.ts";
import { generateTopology, type Strategy } from "../src/sim/generate-topology.ts";
import { startSim } from "../src/sim/server.ts";
import { emulatorAccess } from "../test/support/emulator-access.ts";
import { generatedPlan } from "./harness.ts";

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
      const generated = generatedPlan(sim.info, {
        name: "steady",
        strategy,
        pools: POOLS,
        recoveryPlan: true,
      });
      const plan: AvdDisasterRecoveryPlan = {
        ...generated,
        metadata: { ...generated.metadata, namespace: "bench" },
        status: { activeRegion: "Primary" },
      };
      const access = emulatorAccess(sim);
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
