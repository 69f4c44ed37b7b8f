// The operator's manager and reconcilers in this test process, watching the test's own
// namespaces, with its log lines kept for assertions.
import type { KubeConfig } from "@kubernetes/client-node";
import { afterEach } from "vitest";
import type { Log } from "../../src/controller/logger.ts";
import { Manager } from "../../src/controller/manager.ts";
import { OperatorMetrics } from "../../src/controller/metrics.ts";
import type { AzureAccess } from "../../src/reconcilers/azure-access.ts";
import type { Clock } from "../../src/reconcilers/clock.ts";
import { OPERATOR_NAME, setupReconcilers } from "../../src/reconcilers/setup.ts";

export interface InProcessOptions {
  leaderElectionNamespace?: string;
  /** Azure for the plans (the emulator's, say); without it plans are only validated. */
  azure?: AzureAccess;
  clock?: Clock;
  operatorRegion?: string;
}

export interface LogLine {
  level: string;
  msg?: string;
  [key: string]: unknown;
}

/** A Log that keeps every line (with its bindings) in memory. */
export function memoryLog(lines: LogLine[], bindings: Record<string, unknown> = {}): Log {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ ...bindings, ...obj, level, msg });
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => memoryLog(lines, { ...bindings, ...more }),
  };
}

export async function startInProcessOperator(
  kc: KubeConfig,
  namespaces: string[],
  options: InProcessOptions = {},
) {
  const lines: LogLine[] = [];
  const log = memoryLog(lines);
  const metrics = new OperatorMetrics({ processMetrics: false });
  const leaderElection = options.leaderElectionNamespace
    ? { namespace: options.leaderElectionNamespace, name: OPERATOR_NAME, identity: "test" }
    : undefined;
  const manager = new Manager({ kc, namespaces, log, metrics, leaderElection });
  const { events } = setupReconcilers({
    kc,
    manager,
    log,
    metrics,
    identity: "test",
    maxConcurrentReconciles: 4,
    ...(options.azure ? { azure: options.azure } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.operatorRegion ? { operatorRegion: options.operatorRegion } : {}),
  });
  await manager.start();
  return {
    manager,
    metrics,
    lines,
    async stop() {
      await manager.shutdown();
      await events.flush();
    },
  };
}

/** For a test file: `operatorFor(ns)` starts an in-process operator (as `kc`, or `options.as`) that stops after the test. */
export function inProcessOperatorPerTest(kc: KubeConfig) {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((s) => s()));
  });
  return async (namespace: string, options: InProcessOptions & { as?: KubeConfig } = {}) => {
    const op = await startInProcessOperator(options.as ?? kc, [namespace], options);
    stops.push(op.stop);
    return op;
  };
}
