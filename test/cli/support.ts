// Running the on-call commands as an engineer would: in this process through their functions
// (with captured output, optionally a stand-in terminal) or as the real `avd-dr` and
// `kubectl-avddr` executables in a child process with a kubeconfig.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll } from "vitest";
import { parse, stringify } from "yaml";
import {
  type AvdDisasterRecoveryPlan,
  FAILOVER_PLURAL,
  type FailoverRequest,
  GROUP,
  getCondition,
  VERSION,
} from "../../src/api/index.ts";
import { type ExitCode, type Io, runCommand } from "../../src/cli/command-io.ts";
import { requestFailover } from "../failover/support.ts";
import { until } from "../operator/fixtures.ts";
import { testKubeConfig, testKubeconfigPath } from "../support/kube.ts";
import type { Rehearsal, rehearsals } from "../support/rehearsal.ts";

const ROOT = join(import.meta.dirname, "..", "..");
export const AVD_DR = join(ROOT, "bin", "avd-dr.js");
export const KUBECTL_AVDDR = join(ROOT, "bin", "kubectl-avddr.js");

/** Collects what is written, and each write apart; `isTTY` and `columns` make it stand in for a terminal. */
export class Captured extends Writable {
  text = "";
  writes: string[] = [];
  isTTY?: boolean;
  columns?: number;

  constructor(tty?: { columns: number }) {
    super();
    if (tty) {
      this.isTTY = true;
      this.columns = tty.columns;
    }
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.writes.push(chunk.toString());
    done();
  }
}

export interface TestIo extends Io {
  out: Captured;
  err: Captured;
  input: PassThrough & { isTTY?: boolean };
}

/** Output captured; `terminal` makes stdout a terminal of that width, `keyboard` makes stdin one. */
export function testIo(options: { terminal?: number; keyboard?: boolean } = {}): TestIo {
  const input: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (options.keyboard) input.isTTY = true;
  return {
    out: new Captured(options.terminal ? { columns: options.terminal } : undefined),
    err: new Captured(),
    input,
  };
}

/** Runs a command function in this process as its registered action would, returning its exit code. */
export const run = (io: Io, body: () => Promise<ExitCode>) => runCommand("avd-dr", io, body);

/** Presses `keys` once the prompt containing `prompt` is on the screen ("\u0003" is Ctrl-C). */
export async function pressAt(io: TestIo, prompt: string, keys: string): Promise<void> {
  await until(`the prompt "${prompt}"`, () => io.out.text.includes(prompt), 30_000);
  io.input.write(keys);
}

/** Types `answer` and Enter (a carriage return, as a terminal sends it) at the prompt. */
export const typeAt = (io: TestIo, prompt: string, answer: string): Promise<void> =>
  pressAt(io, prompt, `${answer}\r`);

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs an executable of the package (bin/…) with `args`; stdin is not a terminal. */
export function runBin(
  bin: string,
  args: string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Exited> {
  // As in CI or a pipe: no colours forced on from the test runner's environment.
  const { FORCE_COLOR: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...inherited, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout, child);
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** A fresh directory for a test's files, removed after the test file. */
const scratchDirs: string[] = [];
afterAll(async () => {
  for (const dir of scratchDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-cli-"));
  scratchDirs.push(dir);
  return dir;
}

/** A copy of the test kubeconfig whose context defaults to `namespace`, as `kubectl config set-context` makes. */
export async function kubeconfigWithNamespace(namespace: string): Promise<string> {
  const config = parse(await readFile(testKubeconfigPath(), "utf8")) as {
    contexts: Array<{ context: { namespace?: string } }>;
  };
  for (const c of config.contexts) c.context.namespace = namespace;
  const path = join(await scratchDir(), "kubeconfig");
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

/** The emulator's info file, as `avd-dr sim --info-file` writes it, for --emulator-info. */
export async function emulatorInfoFile(r: Rehearsal): Promise<string> {
  const path = join(await scratchDir(), "sim-info.json");
  await writeFile(path, JSON.stringify(r.sim.info));
  return path;
}

export function requestsIn(namespace: string): Promise<FailoverRequest[]> {
  return testKubeConfig()
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: FAILOVER_PLURAL, namespace })
    .then((list) => (list as { items: FailoverRequest[] }).items);
}

export const isReady = (p: AvdDisasterRecoveryPlan) =>
  getCondition(p.status?.conditions, "Ready")?.status === "True";

/** Waits until the rehearsal's plan is Ready (the operator has observed Azure). */
export function planReady(r: Rehearsal): Promise<AvdDisasterRecoveryPlan> {
  return until(
    "plan Ready",
    async () => {
      const p = await r.k.getPlan(r.namespace, r.planName);
      return isReady(p) ? p : undefined;
    },
    30_000,
  );
}

/**
 * A rehearsal whose plan is held by a running failover "first" (with a long grace period, so
 * that it is still running while the test goes on).
 */
export async function planHeldByAFailover(rehearse: ReturnType<typeof rehearsals>): Promise<Rehearsal> {
  const r = await rehearse("StandbyHostPool", { spec: { drain: { gracePeriod: "10m" } } });
  await planReady(r);
  await requestFailover(r, "first");
  await until("first holds the plan", async () => {
    const plan = await r.k.getPlan(r.namespace, r.planName);
    return plan.status?.activeFailover?.name === "first";
  });
  return r;
}
