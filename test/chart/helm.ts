// Running the helm built from the Go module proxy against charts/avd-dr-operator.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { ensureHelm } from "../../src/controlplane/helm.ts";
import { parseManifests } from "../../src/controlplane/manifests.ts";

export const CHART = join(import.meta.dirname, "..", "..", "charts", "avd-dr-operator");
export const WORKLOAD_IDENTITY_VALUES = join(import.meta.dirname, "values-workload-identity.yaml");

let helmPath: Promise<string> | undefined;

/** The cached helm, built on first use (minutes from a cold cache; a missing Go is an error). */
export function helm(): Promise<string> {
  helmPath ??= ensureHelm({ log: (line) => console.log(`[helm] ${line}`) });
  return helmPath;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runHelm(args: string[]): Promise<HelmResult> {
  const bin = await helm();
  return new Promise((resolve) => {
    // HELM_* homes in a temporary directory: nothing is read from or written to the user's helm setup.
    const home = join(tmpdir(), "avd-dr-helm-home");
    const env = {
      ...process.env,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
    };
    execFile(bin, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Values given inline, as a file helm reads with -f. */
export async function valuesFile(name: string, values: unknown): Promise<string> {
  const path = join(tmpdir(), `avd-dr-chart-${process.pid}-${name}.json`);
  await writeFile(path, JSON.stringify(values));
  return path;
}

/** `helm template` of the chart into `namespace` with the given values files; fails with helm's message. */
export async function render(namespace: string, valueFiles: string[] = []): Promise<KubernetesObject[]> {
  const result = await runHelm([
    "template",
    "avd-dr",
    CHART,
    "--namespace",
    namespace,
    ...valueFiles.flatMap((f) => ["-f", f]),
  ]);
  if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout, "helm template");
}

export function only<T extends KubernetesObject>(objects: KubernetesObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}
