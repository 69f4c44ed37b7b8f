// Everything the demo runs on, brought up on this machine without a network: the local control
// plane (kube-apiserver and etcd, built once and cached) with the CRDs, the ARM emulator with a
// topology, the operator as a child process on the emulator's clock and limits, and the Secret
// and plan that match the topology. One stop() takes it all down and removes its files, in
// reverse order, whatever was reached.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { parse } from "yaml";
import { customResourceDefinitions } from "../api/crds.ts";
import type { AvdDisasterRecoveryPlan, Strategy } from "../api/index.ts";
import { startControlPlane } from "../controlplane/control-plane.ts";
import { applyManifests, waitForCrdsEstablished } from "../controlplane/manifests.ts";
import { type Clock, scaledClock } from "../reconcilers/clock.ts";
import { type RunningSim, startSim } from "../sim/server.ts";
import { loadTopology } from "../sim/topology.ts";
import { type AvddrClient, avddrClient } from "./avddr-client.ts";
import { UsageError } from "./command-io.ts";
import { rehearsalPlan, rehearsalSecret } from "./rehearsal.ts";

export const DEMO_NAMESPACE = "avd-dr-demo";
export const DEMO_PLAN = "demo";

export interface DemoStackOptions {
  strategy: Strategy;
  topologyFile: string;
  /** A plan YAML laid out for the topology (its strategy wins); by default the rehearsal plan of `strategy`. */
  planFile?: string;
  /** Real ms per simulated ms. */
  timeScale: number;
  gracePeriod: string;
  /** Progress, one line at a time. */
  log: (line: string) => void;
}

export interface DemoStack {
  dir: string;
  kubeconfigPath: string;
  infoFile: string;
  operatorLog: string;
  kc: KubeConfig;
  client: AvddrClient;
  sim: RunningSim;
  /** The emulator's simulated clock, which the operator runs on too. */
  clock: Clock;
  plan: AvdDisasterRecoveryPlan;
  /** Aborted when something the demo needs dies on its own (the operator). */
  broken: AbortSignal;
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dirname, "main.ts");

/** The plan a user wrote for their own topology (read before anything starts). */
async function readPlanFile(file: string): Promise<AvdDisasterRecoveryPlan> {
  let written: AvdDisasterRecoveryPlan | null;
  try {
    written = parse(await readFile(file, "utf8")) as AvdDisasterRecoveryPlan | null;
  } catch (error) {
    throw new UsageError(`--plan ${file}: ${(error as Error).message}`);
  }
  if (written?.kind !== "AvdDisasterRecoveryPlan" || !written.spec)
    throw new UsageError(`--plan ${file}: not an AvdDisasterRecoveryPlan manifest`);
  return written;
}

/** A user's plan, pointed at the emulator: its subscription, its principal, its endpoints. */
function pointedAtEmulator(written: AvdDisasterRecoveryPlan, sim: RunningSim): AvdDisasterRecoveryPlan {
  const emulator = rehearsalPlan(written.spec.strategy, sim.info).spec;
  return {
    ...written,
    metadata: { name: written.metadata?.name ?? DEMO_PLAN },
    spec: {
      ...written.spec,
      subscriptionId: emulator.subscriptionId,
      credentials: emulator.credentials!,
      cloud: emulator.cloud!,
    },
  };
}

async function startOperator(
  kubeconfigPath: string,
  infoFile: string,
  caFile: string,
  logFile: string,
): Promise<ChildProcess> {
  const log = await open(logFile, "a");
  try {
    return spawn(
      process.execPath,
      [
        MAIN,
        "operator",
        `--kubeconfig=${kubeconfigPath}`,
        `--namespace=${DEMO_NAMESPACE}`,
        `--emulator-info=${infoFile}`,
        "--metrics-bind-address=0",
        "--health-probe-bind-address=0",
        "--graceful-shutdown-timeout=5s",
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ["ignore", log.fd, log.fd] },
    );
  } finally {
    await log.close();
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function startDemoStack(o: DemoStackOptions): Promise<DemoStack> {
  // Read before anything starts, so that a mistake in them costs nothing.
  const topology = await loadTopology(o.topologyFile).catch((error: Error) => {
    throw new UsageError(`--topology: ${error.message}`);
  });
  const written = o.planFile ? await readPlanFile(o.planFile) : undefined;
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-demo-"));
  const undo: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => {});
  };
  const failure = new AbortController();
  try {
    o.log("starting a local Kubernetes control plane (kube-apiserver and etcd; built once, then cached)");
    const cp = await startControlPlane({
      dir: join(dir, "control-plane"),
      log: (line) => o.log(`  ${line}`),
    });
    undo.push(() => cp.stop());
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const crds = customResourceDefinitions() as unknown as KubernetesObject[];
    await applyManifests(kc, crds);
    await waitForCrdsEstablished(
      kc,
      crds.map((c) => c.metadata!.name!),
    );

    o.log(`starting the ARM emulator with ${o.topologyFile} (time scale ${o.timeScale})`);
    const caFile = join(dir, "sim-ca.pem");
    const sim = await startSim({ topology, timeScale: o.timeScale, caFile });
    undo.push(() => sim.close());
    const infoFile = join(dir, "sim-info.json");
    await writeFile(`${infoFile}.tmp`, JSON.stringify(sim.info, null, 2));
    await rename(`${infoFile}.tmp`, infoFile);
    o.log(`  listening on ${sim.info.armEndpoint}`);

    const operatorLog = join(dir, "operator.log");
    o.log(`starting the operator (its log: ${operatorLog})`);
    const operator = await startOperator(cp.kubeconfigPath, infoFile, caFile, operatorLog);
    let stopping = false;
    undo.push(async () => {
      stopping = true;
      await stopProcess(operator);
    });
    operator.once("exit", (code, signal) => {
      if (!stopping) failure.abort(new Error(`the operator exited (${signal ?? code}); see ${operatorLog}`));
    });

    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: DEMO_NAMESPACE } } });
    await core.createNamespacedSecret({ namespace: DEMO_NAMESPACE, body: rehearsalSecret(sim.info) });
    const wanted = written
      ? pointedAtEmulator(written, sim)
      : rehearsalPlan(o.strategy, sim.info, { name: DEMO_PLAN });
    wanted.metadata.namespace = DEMO_NAMESPACE;
    // A short notice so the story fits in minutes, and a brisk look at Azure between changes.
    wanted.spec = { ...wanted.spec, drain: { gracePeriod: o.gracePeriod }, observeInterval: "30s" };
    const [plan] = (await applyManifests(kc, [wanted as unknown as KubernetesObject])) as unknown as [
      AvdDisasterRecoveryPlan,
    ];
    return {
      dir,
      kubeconfigPath: cp.kubeconfigPath,
      infoFile,
      operatorLog,
      kc,
      client: avddrClient(kc),
      sim,
      clock: scaledClock(sim.info.clock),
      plan,
      broken: failure.signal,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
