// A real `avd-dr operator` process with leader election, its JSON log lines and its ports.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { until } from "./fixtures.ts";

export const MAIN = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");

export interface OperatorProcess {
  child: ChildProcess;
  identity: string;
  lines: Array<Record<string, unknown>>;
  probePort: number;
  metricsPort: number;
  exited: Promise<number | null>;
}

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  namespace: string;
  /** Leader election timings as flag values, e.g. { leaseDuration: "3s" }; default the operator's. */
  timings?: { leaseDuration: string; renewDeadline: string; retryPeriod: string };
  /** Leader election on (default) or off. */
  leaderElect?: boolean;
  /** More flags, e.g. --emulator-info. */
  args?: string[];
  /** More environment, e.g. NODE_EXTRA_CA_CERTS. */
  env?: Record<string, string>;
}

/** Starts the operator watching `namespace`, with its Lease there too; resolves once it serves. */
export async function startOperatorProcess(o: OperatorProcessOptions): Promise<OperatorProcess> {
  const timingFlags = o.timings
    ? [
        `--lease-duration=${o.timings.leaseDuration}`,
        `--renew-deadline=${o.timings.renewDeadline}`,
        `--retry-period=${o.timings.retryPeriod}`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [
      MAIN,
      "operator",
      `--kubeconfig=${o.kubeconfigPath}`,
      `--namespace=${o.namespace}`,
      ...(o.leaderElect === false ? [] : ["--leader-elect", `--leader-election-namespace=${o.namespace}`]),
      ...timingFlags,
      "--metrics-bind-address=127.0.0.1:0",
      "--health-probe-bind-address=127.0.0.1:0",
      ...(o.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...o.env } },
  );
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(JSON.parse(line)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const serving = await until(
    "the operator to serve",
    () => lines.find((l) => l.msg === "serving endpoints"),
    30_000,
  );
  return {
    child,
    lines,
    exited,
    identity: String(serving.identity),
    probePort: Number(serving.probePort),
    metricsPort: Number(serving.metricsPort),
  };
}

/** Who holds the operator's Lease in `namespace` ("" for nobody). */
export function leaseHolder(kc: KubeConfig, namespace: string): Promise<string> {
  return kc
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ namespace, name: "avd-dr-operator" })
    .then(
      (l) => l.spec?.holderIdentity ?? "",
      () => "",
    );
}
