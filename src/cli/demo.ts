// `avd-dr demo` (`npm run demo`): the main job in one command, offline. It brings up a local
// control plane, the ARM emulator and the operator (demo-stack.ts), shows the plan becoming
// Ready, runs a planned failover with the live view, tells what happened to each user and the
// achieved RTO, then fails back. Ctrl-C, or any failure, takes everything down and removes its
// files; --keep leaves it running until Ctrl-C, to explore with kubectl and the CLI.
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type Direction,
  FAILOVER_KIND,
  type FailoverRequest,
  formatDuration,
  getCondition,
  metav1Time,
  parseDuration,
  type Region,
  STRATEGIES,
  type Strategy,
} from "../api/index.ts";
import { activeRegionOf, regionSpec } from "../reconcilers/inventory.ts";
import { EXIT, type ExitCode, type Io, paint, processIo, runCommand, UsageError } from "./command-io.ts";
import { DEMO_NAMESPACE, type DemoStack, startDemoStack } from "./demo-stack.ts";
import { followAndReport } from "./live-view.ts";
import { TOPOLOGY_FILES } from "./rehearsal.ts";
import { gatherEvidence } from "./report-evidence.ts";
import { textTable } from "./text-table.ts";

export interface DemoFlags {
  strategy?: string;
  topology?: string;
  plan?: string;
  failback: boolean;
  keep?: boolean;
  timeScale?: string;
  grace: string;
}

/**
 * Real seconds per simulated second, so that the story takes one to two minutes: a standby
 * failover and failback are about 15 minutes of Azure's time, Site Recovery's about 90 (each
 * reprotect alone is half an hour).
 */
export const DEMO_TIME_SCALES: Record<Strategy, number> = {
  SiteRecovery: 0.015,
  StandbyHostPool: 0.15,
  SharedHostPool: 0.15,
};
const POLL_MS = 250;
/** Simulated time a plan may take to become Ready (the emulator's VMs start and stop in minutes). */
const READY_WITHIN_MS = 30 * 60_000;

interface DemoOptions {
  strategy: Strategy;
  topologyFile: string;
  planFile?: string;
  timeScale: number;
  gracePeriod: string;
}

/** The topology files of config/sim, wherever the command is run from. */
const packagedTopology = (strategy: Strategy) =>
  join(import.meta.dirname, "..", "..", TOPOLOGY_FILES[strategy]);

/** --strategy, else the strategy of a config/sim topology, else (with --plan, whose strategy wins) SiteRecovery. */
function strategyOf(flags: DemoFlags): Strategy {
  if (flags.strategy) {
    const named = STRATEGIES.find((s) => s.toLowerCase() === flags.strategy!.toLowerCase());
    if (!named)
      throw new UsageError(`--strategy must be one of ${STRATEGIES.join(", ")}, got "${flags.strategy}"`);
    return named;
  }
  if (!flags.topology || flags.plan) return "SiteRecovery";
  const known = STRATEGIES.find((s) => resolve(flags.topology!) === packagedTopology(s));
  if (known) return known;
  throw new UsageError(
    `--topology ${flags.topology}: say which layout it has with --strategy (it must name the resource groups and host pools of that strategy's file in config/sim), or give its plan with --plan FILE`,
  );
}

function demoOptions(flags: DemoFlags): DemoOptions {
  const strategy = strategyOf(flags);
  const timeScale = flags.timeScale === undefined ? DEMO_TIME_SCALES[strategy] : Number(flags.timeScale);
  if (!(timeScale > 0 && timeScale <= 1))
    throw new UsageError(`--time-scale must be a number above 0 and at most 1, got "${flags.timeScale}"`);
  try {
    if (parseDuration(flags.grace) > 24 * 3_600_000) throw new Error("too long");
  } catch {
    throw new UsageError(`--grace must be a duration from 0s to 24h such as 2m, got "${flags.grace}"`);
  }
  return {
    strategy,
    topologyFile: flags.topology ?? packagedTopology(strategy),
    ...(flags.plan ? { planFile: flags.plan } : {}),
    timeScale,
    gracePeriod: flags.grace,
  };
}

const heading = (io: Io, text: string) => io.out.write(`\n${paint(io.out, "bold", `==> ${text}`)}\n`);
const regionOf = (plan: AvdDisasterRecoveryPlan, region: Region) => regionSpec(plan, region).location;

function readiness(plan: AvdDisasterRecoveryPlan): string {
  const s = plan.status;
  const conditions = ["Ready", "Protected", "StandbyDeallocated", "FailoverReady"].map(
    (type) => `${type}=${getCondition(s?.conditions, type)?.status ?? "-"}`,
  );
  const ready = getCondition(s?.conditions, "Ready");
  const why = ready && ready.status !== "True" ? ` (${ready.reason}: ${ready.message})` : "";
  return `active ${s?.activeRegion ?? "-"}  ${conditions.join(" ")}  worst RPO ${s?.replication?.worstRpo ?? "-"}${why}`;
}

/** Shows the plan's conditions as they change until it is Ready and FailoverReady, active in `region`. */
async function planReady(stack: DemoStack, region: Region, io: Io, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + Math.max(60_000, stack.clock.toRealMs(READY_WITHIN_MS));
  const { namespace, name } = stack.plan.metadata;
  let last = "";
  for (;;) {
    signal.throwIfAborted();
    const plan = await stack.client.getPlan(namespace!, name!);
    const line = plan ? readiness(plan) : "not found";
    if (line !== last) io.out.write(`  ${metav1Time(stack.clock.now())} ${line}\n`);
    last = line;
    const s = plan?.status;
    const done =
      plan &&
      activeRegionOf(plan) === region &&
      getCondition(s?.conditions, "Ready")?.status === "True" &&
      getCondition(s?.conditions, "FailoverReady")?.status === "True";
    if (done) {
      io.out.write(
        `${paint(io.out, "green", "✓")} plan ${name} is Ready in ${regionOf(stack.plan, region)}\n`,
      );
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`plan ${name} did not become Ready in ${regionOf(stack.plan, region)}: ${line}`);
    await sleep(POLL_MS, undefined, { signal });
  }
}

async function runFailover(
  stack: DemoStack,
  name: string,
  direction: Direction,
  io: Io,
  signal: AbortSignal,
): Promise<FailoverRequest> {
  const { namespace, name: planName } = stack.plan.metadata;
  const body: FailoverRequest = {
    apiVersion: API_VERSION,
    kind: FAILOVER_KIND,
    metadata: { name },
    spec: {
      planRef: { name: planName! },
      type: "Planned",
      direction,
      // Site Recovery replicates back after the commit, so that the failback has replicas to use.
      ...(stack.plan.spec.strategy === "SiteRecovery" ? { reprotect: true } : {}),
    },
  };
  await stack.client.createRequest(namespace!, body);
  io.out.write(`  FailoverRequest ${namespace}/${name} created\n`);
  return followAndReport(stack.client, namespace!, name, io.out, stack.clock, { pollMs: POLL_MS, signal });
}

/** The achieved RTO and what happened to each user, from the request's own record. */
function aftermath(stack: DemoStack, request: FailoverRequest, io: Io): void {
  const s = request.status ?? {};
  const evidence = gatherEvidence(request, stack.plan);
  io.out.write(
    `  Achieved RTO ${paint(io.out, "bold", s.rto ?? "-")}: from the request until users could sign in to ${regionOf(stack.plan, s.toRegion ?? "Secondary")}\n`,
  );
  if (evidence.sessions.length === 0) {
    io.out.write("  No user was signed in on the hosts left.\n");
    return;
  }
  const time = (t: string | undefined) => (t ? t.slice(11, 19) : "-");
  const rows = evidence.sessions.map((x) => [
    x.user,
    x.host,
    time(x.notifiedAt),
    time(x.loggedOffAt ?? x.signedOutAt),
    x.outcome,
  ]);
  io.out.write(
    `  What happened to each user (times on the emulator's clock, UTC):\n${textTable(
      ["USER", "SESSION HOST", "NOTIFIED", "ENDED", "OUTCOME"],
      rows,
    )
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}\n`,
  );
}

function whereNext(stack: DemoStack, requests: string[], keep: boolean, io: Io): void {
  heading(io, "Where to look next");
  const kc = `--kubeconfig ${stack.kubeconfigPath}`;
  io.out.write(
    [
      keep
        ? "  Everything keeps running until you press Ctrl-C. In another terminal:"
        : "  With `npm run demo -- --keep` everything keeps running for you to explore:",
      `    kubectl ${kc} get avddr -n ${DEMO_NAMESPACE}`,
      `    npx avd-dr status ${kc} -n ${DEMO_NAMESPACE}`,
      ...requests.map((r) => `    npx avd-dr report ${r} ${kc} -n ${DEMO_NAMESPACE} -o ${r}.html`),
      `  kubeconfig:         ${stack.kubeconfigPath}`,
      `  emulator info file: ${stack.infoFile} (avd-dr watch --emulator-info, avd-dr operator --emulator-info)`,
      `  operator log:       ${stack.operatorLog}`,
      "",
    ].join("\n"),
  );
}

async function story(stack: DemoStack, flags: DemoFlags, io: Io, signal: AbortSignal): Promise<ExitCode> {
  const plan = stack.plan;
  heading(io, `Plan ${plan.metadata.name} (${plan.spec.strategy}): waiting for it to become Ready`);
  await planReady(stack, "Primary", io, signal);

  heading(io, `Planned failover: ${plan.spec.primary.location} → ${plan.spec.secondary.location}`);
  const failover = await runFailover(stack, "demo-failover", "ToSecondary", io, signal);
  aftermath(stack, failover, io);
  const requests = ["demo-failover"];
  let ok = failover.status?.phase === "Succeeded";

  if (ok && flags.failback) {
    heading(io, `Failing back: ${plan.spec.secondary.location} → ${plan.spec.primary.location}`);
    await planReady(stack, "Secondary", io, signal);
    const failback = await runFailover(stack, "demo-failback", "ToPrimary", io, signal);
    aftermath(stack, failback, io);
    requests.push("demo-failback");
    ok = failback.status?.phase === "Succeeded";
  }
  whereNext(stack, requests, flags.keep ?? false, io);
  return ok ? EXIT.ok : EXIT.failed;
}

export async function demo(flags: DemoFlags, io: Io, interrupt: AbortSignal): Promise<ExitCode> {
  const options = demoOptions(flags);
  const started = Date.now();
  io.out.write(
    `${paint(io.out, "bold", "avd-dr demo")}: a planned failover of an Azure Virtual Desktop deployment, rehearsed on this machine\n` +
      `  strategy ${options.strategy}, topology ${options.topologyFile}, grace period ${options.gracePeriod}\n` +
      `  the emulator runs ${formatDuration(1000 / options.timeScale)} of Azure's time per real second; times shown are its clock\n`,
  );
  let stack: DemoStack;
  try {
    stack = await startDemoStack({ ...options, log: (line) => io.out.write(`  ${line}\n`) });
  } catch (error) {
    // Ctrl-C on the way up ends what was starting; what had started is already taken down.
    if (interrupt.aborted) return EXIT.interrupted;
    throw error;
  }
  const signal = AbortSignal.any([interrupt, stack.broken]);
  try {
    const code = await story(stack, flags, io, signal);
    io.out.write(`\nThe demo took ${formatDuration(Date.now() - started)}.\n`);
    if (flags.keep)
      await new Promise((resolve) => interrupt.addEventListener("abort", resolve, { once: true }));
    return code;
  } catch (error) {
    if (!interrupt.aborted) throw signal.aborted ? signal.reason : error;
    return EXIT.interrupted;
  } finally {
    io.out.write(`Stopping the operator, the emulator and the control plane; removing ${stack.dir}\n`);
    await stack.stop();
  }
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "the main job, offline: control plane, ARM emulator and operator; plan Ready; a planned failover live; failback",
    )
    .option(
      "--strategy <strategy>",
      `${STRATEGIES.join(", ")} (default: SiteRecovery, or what --topology is)`,
    )
    .option("--topology <file>", "emulator topology (default: config/sim/<strategy>.yaml)")
    .option(
      "--plan <file>",
      "the AvdDisasterRecoveryPlan for your own --topology (it is pointed at the emulator)",
    )
    .option("--no-failback", "stop after the failover")
    .option("--keep", "leave everything running after the story, until Ctrl-C")
    .option(
      "--time-scale <x>",
      `real seconds per simulated second (default: ${Object.entries(DEMO_TIME_SCALES)
        .map(([s, x]) => `${x} for ${s}`)
        .join(", ")})`,
    )
    .option("--grace <duration>", "time between the users' notice and their log-off", "2m")
    .action(async (flags: DemoFlags) => {
      const io = processIo();
      const interrupt = new AbortController();
      // Kept for the whole run (not once): the control plane's own hook re-raises a signal that
      // nobody else listens to, which would end the process before the demo has cleaned up.
      const stop = () => interrupt.abort(new Error("interrupted"));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      const code = await runCommand(`${program.name()} demo`, io, () => demo(flags, io, interrupt.signal));
      // Nothing of the demo is left; client keep-alive sockets must not hold the exit up.
      process.exit(code);
    });
}
