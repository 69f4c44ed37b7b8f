// An offline rehearsal for a test: the ARM emulator with one of config/sim's topologies, a fresh
// namespace with the plan and Secret a user would apply, and the operator in this process on the
// emulator's clock and throttling limits, talking to it through the real SDK clients.
import { join } from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterEach } from "vitest";
import {
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanSpec,
  getCondition,
  type Strategy,
} from "../../src/api/index.ts";
import { rehearsalPlan, rehearsalSecret, TOPOLOGY_FILES } from "../../src/cli/rehearsal.ts";
import type { AzureAccess } from "../../src/reconcilers/azure-access.ts";
import { scaledClock } from "../../src/reconcilers/clock.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { loadTopology, type Topology } from "../../src/sim/topology.ts";
import { avddr, until } from "../operator/fixtures.ts";
import { type InProcessOptions, startInProcessOperator } from "../operator/harness.ts";
import { emulatorAccess } from "./emulator-access.ts";
import { freshNamespace, testKubeConfig } from "./kube.ts";

const root = join(import.meta.dirname, "..", "..");

export interface RehearsalOptions {
  /** Real ms per simulated ms. */
  timeScale?: number;
  /** Changes to the topology before the emulator starts. */
  topology?: (t: Topology) => void;
  /** Fields of the plan's spec to set. */
  spec?: Partial<AvdDisasterRecoveryPlanSpec>;
  /** Start the operator (default true). */
  operator?: boolean;
  operatorOptions?: InProcessOptions;
  /** Another control plane than the run's shared one (a test that stops its API server). */
  kubeConfig?: KubeConfig;
}

export interface Rehearsal {
  sim: RunningSim;
  namespace: string;
  planName: string;
  k: ReturnType<typeof avddr>;
  access: AzureAccess;
  startOperator(): Promise<{ stop(): Promise<void> }>;
}

/** For a test file: `rehearse(strategy)` sets one up; everything stops after the test. */
export function rehearsals() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return async (strategy: Strategy, options: RehearsalOptions = {}): Promise<Rehearsal> => {
    const topology = await loadTopology(join(root, TOPOLOGY_FILES[strategy]));
    options.topology?.(topology);
    const sim = await startSim({ topology, timeScale: options.timeScale ?? 0.005 });
    cleanups.push(() => sim.close());
    const kc = options.kubeConfig ?? testKubeConfig();
    const namespace = options.kubeConfig
      ? (
          await kc
            .makeApiClient(CoreV1Api)
            .createNamespace({ body: { metadata: { generateName: `${strategy.toLowerCase()}-` } } })
        ).metadata!.name!
      : await freshNamespace(strategy.toLowerCase());
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: rehearsalSecret(sim.info) });
    const plan = rehearsalPlan(strategy, sim.info, { ...(options.spec ? { spec: options.spec } : {}) });
    const k = avddr(kc);
    await k.createPlan(namespace, plan);
    const access = emulatorAccess(sim);
    const startOperator = async () => {
      const op = await startInProcessOperator(kc, [namespace], {
        azure: access,
        clock: scaledClock(sim.info.clock),
        ...options.operatorOptions,
      });
      cleanups.push(op.stop);
      return op;
    };
    if (options.operator ?? true) await startOperator();
    return { sim, namespace, planName: plan.metadata.name!, k, access, startOperator };
  };
}

/** Waits until the rehearsal's plan passes `check`; returns it. */
export function planWhere(
  r: Rehearsal,
  what: string,
  check: (p: AvdDisasterRecoveryPlan) => boolean,
  ms = 30_000,
): Promise<AvdDisasterRecoveryPlan> {
  return until(
    what,
    async () => {
      const p = await r.k.getPlan(r.namespace, r.planName);
      return check(p) ? p : undefined;
    },
    ms,
  );
}

export const ready = (p: AvdDisasterRecoveryPlan): boolean =>
  getCondition(p.status?.conditions, "Ready")?.status === "True";
