// The exactly-once promise under a long soak: a failover of 100 session hosts (10 pools × 10
// hosts × 5 users) with the operator process killed (SIGKILL) at random instants, 20 times in one
// run, then left to finish. Against a real kube-apiserver and the emulator; the evidence is the
// emulator's audit log: every ASR failover, commit and reprotect sent exactly once per target, and
// no user logged off before their notice plus the grace period. Prints each kill's phase and the
// result; the last line is one JSON object.
//
//   node bench/chaos-soak.ts [--kills 20] [--strategy SiteRecovery] [--time-scale 0.02] [--seed 1] [--kubeconfig FILE]
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { API_VERSION, FAILOVER_KIND } from "../src/api/index.ts";
import { generateTopology, type Strategy } from "../src/sim/generate-topology.ts";
import { benchCluster, benchEmulator, benchNamespace, generatedPlan, spawnOperator } from "./harness.ts";

const { values: args } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    strategy: { type: "string", default: "SiteRecovery" },
    "time-scale": { type: "string", default: "0.02" },
    seed: { type: "string", default: "1" },
    kubeconfig: { type: "string" },
  },
});
const kills = Number(args.kills);
const strategy = args.strategy as Strategy;
const timeScale = Number(args["time-scale"]);
const GRACE_SECONDS = 120;
const out = (line: string) => process.stdout.write(`${line}\n`);

const dir = await mkdtemp(join(tmpdir(), "avd-dr-chaos-"));
const cluster = await benchCluster(dir, args.kubeconfig);
const { k } = cluster;

const topology = generateTopology({ hostPools: 10, hostsPerPool: 10, sessionsPerHost: 5, strategy });
const emulator = await benchEmulator(dir, "chaos", topology, timeScale);
const { sim } = emulator;
const namespace = await benchNamespace(cluster, sim.info, "chaos");
await k.createPlan(
  namespace,
  generatedPlan(sim.info, {
    name: "chaos",
    strategy,
    pools: 10,
    spec: { drain: { gracePeriod: `${GRACE_SECONDS}s` } },
  }),
);

let operator: ChildProcess | undefined;
const start = () => {
  operator = spawnOperator({
    kubeconfigPath: cluster.kubeconfigPath,
    namespace,
    emulator,
    logLevel: "error",
  });
  return operator;
};
const phaseNow = async () => (await k.getRequest(namespace, "soak")).status?.phase;

let seed = Number(args.seed);
const nextWait = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return 300 + (seed % 2000);
};

try {
  await k.createRequest(namespace, {
    apiVersion: API_VERSION,
    kind: FAILOVER_KIND,
    metadata: { name: "soak" },
    spec: {
      planRef: { name: "chaos" },
      type: "Planned",
      ...(strategy === "SiteRecovery" ? { reprotect: true } : {}),
    },
  });
  let killed = 0;
  for (; killed < kills; killed++) {
    const op = start();
    await new Promise((r) => setTimeout(r, nextWait()));
    const phase = await phaseNow();
    if (phase === "Succeeded" || phase === "Failed") break;
    op.kill("SIGKILL");
    await new Promise((r) => op.once("exit", r));
    out(`kill ${killed + 1}: during ${phase}`);
  }
  start();
  let phase = await phaseNow();
  while (phase !== "Succeeded" && phase !== "Failed") {
    await new Promise((r) => setTimeout(r, 500));
    phase = await phaseNow();
  }
  const audit = sim.admin.audit();
  const perTarget = (suffix: string) => {
    const counts = new Map<string, number>();
    for (const e of audit)
      if (e.operation.endsWith(suffix)) counts.set(e.target, (counts.get(e.target) ?? 0) + 1);
    return [...counts.values()];
  };
  const repeated = ["unplannedFailover/action", "failoverCommit/action", "reProtect/action"].reduce(
    (n, a) => n + perTarget(a).filter((c) => c > 1).length,
    0,
  );
  const notices = audit.filter((e) => e.operation.endsWith("sendMessage/action"));
  const earlyLogOffs = audit
    .filter((e) => e.operation.endsWith("usersessions/delete"))
    .filter((off) => {
      const notice = notices.find((n) => n.target === off.target);
      return !notice || Date.parse(off.time) - Date.parse(notice.time) < GRACE_SECONDS * 1000;
    }).length;
  out(
    `result: ${phase} after ${killed} kills; ASR actions sent more than once: ${repeated}; early log-offs: ${earlyLogOffs}; notices ${notices.length} for 500 sessions`,
  );
  out(
    JSON.stringify({
      strategy,
      hosts: 100,
      sessions: 500,
      kills: killed,
      phase,
      repeatedActions: repeated,
      earlyLogOffs,
      notices: notices.length,
    }),
  );
  if (phase !== "Succeeded" || repeated > 0 || earlyLogOffs > 0) process.exitCode = 1;
} finally {
  operator?.kill("SIGKILL");
  await sim.close();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
// Client connections kept alive would hold the process open.
process.exit();
