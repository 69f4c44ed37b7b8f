// A failover of 10 host pools × 100 session hosts × 5 users (1,000 hosts, 5,000 sessions) through
// the operator's real components: a real kube-apiserver, the operator as its own process (its
// reconcilers, gateways and pacer) on the emulator's clock, and the ARM emulator with ARM's
// buckets at a fixed time scale. Scenarios: SiteRecovery through a recovery plan, SiteRecovery
// item by item, StandbyHostPool, SharedHostPool. Every figure is in simulated seconds unless it
// says ms. For each scenario it prints the operator's time per phase against the bound Azure
// imposes (bench/failover-bound.ts), ARM calls against the minimum the work needs, 429s, the
// time from creating the FailoverRequest to the first drain write, and the operator's peak RSS
// and CPU time; the last lines are one JSON object per scenario.
//
//   node bench/failover-scale.ts [--scenarios sr-plan,sr-items,standby,shared] [--pools 10]
//     [--hosts 100] [--sessions 5] [--time-scale 0.1] [--grace 10m] [--kubeconfig FILE]
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  API_VERSION,
  FAILOVER_KIND,
  type FailoverRequest,
  getCondition,
  parseDuration,
} from "../src/api/index.ts";
import { generateTopology } from "../src/sim/generate-topology.ts";
import { failoverBound } from "./failover-bound.ts";
import { benchCluster, benchEmulator, benchNamespace, generatedPlan, spawnOperator } from "./harness.ts";

const { values: args } = parseArgs({
  options: {
    scenarios: { type: "string", default: "sr-plan,sr-items,standby,shared" },
    pools: { type: "string", default: "10" },
    hosts: { type: "string", default: "100" },
    sessions: { type: "string", default: "5" },
    "time-scale": { type: "string", default: "0.1" },
    grace: { type: "string", default: "10m" },
    kubeconfig: { type: "string" },
  },
});
const pools = Number(args.pools);
const hostsPerPool = Number(args.hosts);
const sessionsPerHost = Number(args.sessions);
const timeScale = Number(args["time-scale"]);
const gracePeriod = args.grace!;
/** The operator runs with the V8 options its image sets (the Dockerfile's NODE_OPTIONS). */
const NODE_OPTIONS = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(
  await readFile(join(import.meta.dirname, "..", "Dockerfile"), "utf8"),
)?.[1];

const SCENARIOS = {
  "sr-plan": { strategy: "SiteRecovery", recoveryPlan: true },
  "sr-items": { strategy: "SiteRecovery", recoveryPlan: false },
  standby: { strategy: "StandbyHostPool", recoveryPlan: false },
  shared: { strategy: "SharedHostPool", recoveryPlan: false },
} as const;
type Scenario = keyof typeof SCENARIOS;

const dir = await mkdtemp(join(tmpdir(), "avd-dr-bench-"));
const cluster = await benchCluster(dir, args.kubeconfig);
const { k } = cluster;
const out = (line: string) => process.stdout.write(`${line}\n`);
const results: Record<string, unknown>[] = [];

async function until<T>(check: () => Promise<T | undefined>, what: string, realMs: number): Promise<T> {
  const deadline = Date.now() + realMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Peak resident memory (MiB) and CPU time (s) of a process, sampled from /proc. */
function sampler(pid: number) {
  let peakKb = 0;
  let cpuSeconds = 0;
  const tick = async () => {
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      peakKb = Math.max(peakKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
      const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
      cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    } catch {
      // the process has gone
    }
  };
  const timer = setInterval(tick, 200);
  return {
    stop: async () => {
      clearInterval(timer);
      await tick();
      return { peakRssMiB: Math.round(peakKb / 1024), cpuSeconds };
    },
  };
}

async function run(scenario: Scenario): Promise<void> {
  const { strategy, recoveryPlan } = SCENARIOS[scenario];
  const topology = generateTopology({ hostPools: pools, hostsPerPool, sessionsPerHost, strategy });
  const emulator = await benchEmulator(dir, scenario, topology, timeScale);
  const { sim } = emulator;
  const namespace = await benchNamespace(cluster, sim.info, `bench-${scenario}`);
  const plan = generatedPlan(sim.info, {
    name: "bench",
    strategy,
    pools,
    recoveryPlan,
    spec: { drain: { gracePeriod } },
  });
  await k.createPlan(namespace, plan);
  const operator: ChildProcess = spawnOperator({
    kubeconfigPath: cluster.kubeconfigPath,
    namespace,
    emulator,
    logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
    stdio: ["ignore", process.env.BENCH_LOG ? "pipe" : "ignore", "inherit"],
    ...(NODE_OPTIONS ? { nodeOptions: NODE_OPTIONS } : {}),
  });
  if (process.env.BENCH_LOG) {
    const { createWriteStream } = await import("node:fs");
    operator.stdout!.pipe(createWriteStream(process.env.BENCH_LOG));
  }
  try {
    const readyStarted = Date.now();
    await until(
      async () => {
        const p = await k.getPlan(namespace, "bench");
        return getCondition(p.status?.conditions, "Ready")?.status === "True" ? p : undefined;
      },
      `${scenario}: plan Ready`,
      600_000,
    );
    const readyMs = Date.now() - readyStarted;
    const mark = sim.admin.audit().at(-1)?.seq ?? 0;
    const before = {
      calls: sim.state.counters.total(),
      throttled: throttledCalls(sim.state.counters.list()),
      byKind: new Map(sim.state.counters.list().map((c) => [`${c.kind} ${c.status}`, c.count])),
    };
    const usage = sampler(operator.pid!);
    const t0 = sim.state.clock.now();
    const request: FailoverRequest = {
      apiVersion: API_VERSION,
      kind: FAILOVER_KIND,
      metadata: { name: "failover" },
      spec: {
        planRef: { name: "bench" },
        type: "Planned",
        ...(strategy === "SiteRecovery" ? { reprotect: true } : {}),
      },
    };
    await k.createRequest(namespace, request);
    const done = await until(
      async () => {
        const r = await k.getRequest(namespace, "failover");
        return r.status?.phase === "Succeeded" || r.status?.phase === "Failed" ? r : undefined;
      },
      `${scenario}: failover finished`,
      3_600_000,
    );
    const { peakRssMiB, cpuSeconds } = await usage.stop();
    if (done.status?.phase !== "Succeeded") throw new Error(`${scenario}: ${done.status?.message}`);
    const writes = sim.admin.audit({ since: mark });
    const firstDrain = writes.find((w) => w.operation.endsWith("sessionhosts/write"));
    const firstDrainWriteMs = firstDrain
      ? Math.round((Date.parse(firstDrain.time) - t0) * timeScale)
      : undefined;
    const hosts = pools * hostsPerPool;
    const bound = failoverBound({
      topology,
      strategy,
      recoveryPlan,
      hosts,
      sessions: hosts * sessionsPerHost,
      graceSeconds: parseDuration(gracePeriod) / 1000,
      commit: strategy === "SiteRecovery",
      reprotect: strategy === "SiteRecovery",
    });
    const phase = (name: string) => {
      const p = done.status?.phases?.find((x) => x.phase === name);
      return p?.completionTime ? (Date.parse(p.completionTime) - Date.parse(p.startTime)) / 1000 : 0;
    };
    const operatorSeconds = (Date.parse(done.status!.completionTime!) - t0) / 1000;
    const calls = sim.state.counters.total() - before.calls;
    const throttled = throttledCalls(sim.state.counters.list()) - before.throttled;
    const minimumWrites =
      hosts +
      2 * hosts * sessionsPerHost +
      (strategy === "SiteRecovery" ? (recoveryPlan ? 3 : 3 * hosts) : 2 * hosts);
    out(
      `\n${scenario}: ${hosts} hosts, ${hosts * sessionsPerHost} sessions, time scale ${timeScale} (plan Ready after ${(readyMs / 1000).toFixed(1)} real s)`,
    );
    out(`  ${"phase".padEnd(14)} ${"operator s".padStart(11)} ${"bound s".padStart(9)}`);
    for (const [name, b] of [
      ["Draining", bound.drain],
      ["FailingOver", bound.failover],
      ["Verifying", bound.verify],
      ["Committing", bound.commit],
      ["Reprotecting", bound.reprotect],
    ] as const)
      if (b > 0 || phase(name) > 0)
        out(`  ${name.padEnd(14)} ${phase(name).toFixed(0).padStart(11)} ${b.toFixed(0).padStart(9)}`);
    out(
      `  ${"total".padEnd(14)} ${operatorSeconds.toFixed(0).padStart(11)} ${bound.total.toFixed(0).padStart(9)}   ratio ${(operatorSeconds / bound.total).toFixed(3)}`,
    );
    out(
      `  ARM calls ${calls} (writes and deletes ${writes.length}, minimum ${minimumWrites}); 429s ${throttled}`,
    );
    out(
      `  first drain write ${firstDrainWriteMs} ms after the request; operator peak RSS ${peakRssMiB} MiB, CPU ${cpuSeconds.toFixed(1)} s`,
    );
    const at = (suffix: string, pick: "first" | "last") => {
      const found = writes.filter((w) => w.operation.endsWith(suffix));
      const w = pick === "first" ? found[0] : found.at(-1);
      return w ? `${((Date.parse(w.time) - t0) / 1000).toFixed(0)}` : "-";
    };
    out(
      `  drain mode ${at("sessionhosts/write", "first")}–${at("sessionhosts/write", "last")} s, notices ${at("sendMessage/action", "first")}–${at("sendMessage/action", "last")} s, log-offs ${at("usersessions/delete", "first")}–${at("usersessions/delete", "last")} s after the request`,
    );
    const reads = sim.state.counters
      .list()
      .map((c) => ({ ...c, count: c.count - (before.byKind.get(`${c.kind} ${c.status}`) ?? 0) }))
      .filter((c) => c.kind.endsWith("/read") && c.count > 0)
      .sort((a, b) => b.count - a.count);
    out(`  reads: ${reads.map((c) => `${c.kind.replace(/^Microsoft\./, "")} ${c.count}`).join(", ")}`);
    results.push({
      strategy: scenario,
      hosts,
      sessions: hosts * sessionsPerHost,
      boundSeconds: Math.round(bound.total),
      operatorSeconds: Math.round(operatorSeconds),
      ratio: Number((operatorSeconds / bound.total).toFixed(4)),
      throttled,
      armCalls: calls,
      firstDrainWriteMs,
      peakRssMiB,
    });
  } finally {
    operator.kill("SIGKILL");
    await sim.close();
  }
}

function throttledCalls(counts: { status: number; count: number }[]): number {
  return counts.filter((c) => c.status === 429).reduce((n, c) => n + c.count, 0);
}

try {
  for (const scenario of args.scenarios!.split(",") as Scenario[]) {
    if (!(scenario in SCENARIOS))
      throw new Error(`--scenarios: unknown ${scenario}; use ${Object.keys(SCENARIOS).join(", ")}`);
    await run(scenario);
  }
  out("");
  for (const r of results) out(JSON.stringify(r));
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
