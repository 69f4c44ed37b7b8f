// What the benchmarks that run the operator share: a Kubernetes API server with the CRDs
// (started here unless --kubeconfig names one), a namespace holding the emulator's principal,
// the plan that matches a generated topology, and the operator as its own process.
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { customResourceDefinitions } from "../src/api/crds.ts";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanSpec,
  PLAN_KIND,
} from "../src/api/index.ts";
import type { EmulatorInfo } from "../src/azure/connection.ts";
import { rehearsalSecret, SECRET_NAME } from "../src/cli/rehearsal.ts";
import { startControlPlane } from "../src/controlplane/control-plane.ts";
import { applyManifests, waitForCrdsEstablished } from "../src/controlplane/manifests.ts";
import type { Strategy } from "../src/sim/generate-topology.ts";
import { type RunningSim, startSim } from "../src/sim/server.ts";
import type { Topology } from "../src/sim/topology.ts";
import { avddr } from "../test/operator/fixtures.ts";

const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");

export interface BenchCluster {
  kubeconfigPath: string;
  k: ReturnType<typeof avddr>;
  core: CoreV1Api;
  stop(): Promise<void>;
}

/** The API server at `kubeconfig`, else one started under `dir`; the CRDs are applied either way. */
export async function benchCluster(dir: string, kubeconfig?: string): Promise<BenchCluster> {
  const controlPlane = kubeconfig ? undefined : await startControlPlane({ dir: join(dir, "cp") });
  const kubeconfigPath = kubeconfig ?? controlPlane!.kubeconfigPath;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const crds = customResourceDefinitions() as unknown as KubernetesObject[];
  await applyManifests(kc, crds);
  await waitForCrdsEstablished(
    kc,
    crds.map((c) => c.metadata!.name!),
  );
  return {
    kubeconfigPath,
    k: avddr(kc),
    core: kc.makeApiClient(CoreV1Api),
    stop: async () => {
      await controlPlane?.stop();
    },
  };
}

/** An emulator, with the info file and CA an operator process reads to reach and trust it. */
export interface BenchEmulator {
  sim: RunningSim;
  infoFile: string;
  caFile: string;
}

/** Starts the emulator on `topology`, writing its info file and CA under `dir` as `name-…`. */
export async function benchEmulator(
  dir: string,
  name: string,
  topology: Topology,
  timeScale: number,
): Promise<BenchEmulator> {
  const caFile = join(dir, `${name}-ca.pem`);
  const sim = await startSim({ topology, timeScale, caFile });
  const infoFile = join(dir, `${name}-info.json`);
  await writeFile(infoFile, JSON.stringify(sim.info));
  return { sim, infoFile, caFile };
}

/** A new namespace holding the Secret with the emulator's principal; returns its name. */
export async function benchNamespace(
  cluster: BenchCluster,
  info: EmulatorInfo,
  prefix: string,
): Promise<string> {
  const created = await cluster.core.createNamespace({ body: { metadata: { generateName: `${prefix}-` } } });
  const namespace = created.metadata!.name!;
  await cluster.core.createNamespacedSecret({ namespace, body: rehearsalSecret(info) });
  return namespace;
}

/**
 * A plan for a topology from generateTopology (default locations): its regions, pools and vault,
 * the emulator's endpoints and principal, and `spec`'s other fields.
 */
export function generatedPlan(
  info: EmulatorInfo,
  options: {
    name: string;
    strategy: Strategy;
    pools: number;
    recoveryPlan?: boolean;
    spec?: Partial<AvdDisasterRecoveryPlanSpec>;
  },
): AvdDisasterRecoveryPlan {
  const { strategy } = options;
  const names = Array.from({ length: options.pools }, (_, p) => `hp-${p}`);
  return {
    apiVersion: API_VERSION,
    kind: PLAN_KIND,
    metadata: { name: options.name },
    spec: {
      subscriptionId: info.subscriptionId,
      credentials: { secretRef: { name: SECRET_NAME } },
      cloud: { armEndpoint: info.armEndpoint, authorityHost: info.authorityHost },
      strategy,
      primary: { location: "westeurope", resourceGroup: "rg-avd-westeurope", hostPools: names },
      secondary: {
        location: "northeurope",
        resourceGroup: "rg-avd-northeurope",
        hostPools: strategy === "StandbyHostPool" ? names.map((n) => `${n}-dr`) : names,
      },
      ...(strategy === "SiteRecovery"
        ? {
            siteRecovery: {
              vaultName: "rsv-avd-northeurope",
              vaultResourceGroup: "rg-avd-northeurope",
              ...(options.recoveryPlan ? { recoveryPlanName: "rp-avd" } : {}),
            },
          }
        : {}),
      ...options.spec,
    },
  };
}

/** `avd-dr operator` on the emulator's clock, watching one namespace, with no listening ports. */
export function spawnOperator(options: {
  kubeconfigPath: string;
  namespace: string;
  emulator: BenchEmulator;
  logLevel: string;
  stdio?: StdioOptions;
  nodeOptions?: string;
}): ChildProcess {
  return spawn(
    process.execPath,
    [
      MAIN,
      "operator",
      `--kubeconfig=${options.kubeconfigPath}`,
      `--namespace=${options.namespace}`,
      `--emulator-info=${options.emulator.infoFile}`,
      "--metrics-bind-address=0",
      "--health-probe-bind-address=0",
      `--log-level=${options.logLevel}`,
    ],
    {
      stdio: options.stdio ?? "ignore",
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: options.emulator.caFile,
        ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
      },
    },
  );
}
