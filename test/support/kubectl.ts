// The real kubectl, at the control plane's Kubernetes release (test/global-setup.ts builds it),
// run against the run's API server as the admin: for what only kubectl does (`kubectl wait`,
// printer columns as a person sees them, plugins found on PATH).
import { spawn } from "node:child_process";
import { ensureKubectl } from "../../src/controlplane/binaries.ts";
import { testKubeconfigPath } from "./kube.ts";

export interface KubectlResult {
  /** kubectl's exit code; -1 when it was killed. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. `apply -f -`). */
  input?: string;
  /** Added to this process's environment (e.g. PATH with a plugin's directory first). */
  env?: NodeJS.ProcessEnv;
  /** Killed after this long; kubectl's own `--timeout` should end it first. */
  timeoutMs?: number;
}

/** Runs `kubectl --kubeconfig <test kubeconfig> args…`; resolves with its exit code and output, never rejects on a non-zero exit. */
export async function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const binary = await ensureKubectl();
  const child = spawn(binary, ["--kubeconfig", testKubeconfigPath(), ...args], {
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 120_000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exit, signal) => {
      if (signal) stderr += `\n(kubectl killed by ${signal} after ${options.timeoutMs ?? 120_000} ms)`;
      resolve(exit ?? -1);
    });
  });
  return { code, stdout, stderr };
}
