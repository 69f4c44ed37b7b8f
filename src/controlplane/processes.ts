// Launching and stopping the control plane's processes. Each writes its output to
// D/<name>.log and its pid to D/<name>.pid, so another avd-dr process (`down`) can stop it.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface LaunchedProcess {
  name: string;
  pid: number;
  /** Settles with the exit code (or signal name) once the process has ended. */
  exited: Promise<string>;
  /** True once `exited` has settled: its pid may then belong to another process. */
  ended(): boolean;
}

/** Pids of attached (non-detached) children: they die with this process. */
const attached = new Set<number>();

/**
 * SIGKILL, not SIGTERM: the owner is going away and can't stop them in order, and a
 * kube-apiserver whose etcd stops under it takes some 20 s to shut down gracefully.
 */
function killAttached(): void {
  for (const pid of attached) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  attached.clear();
}

let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAttached);
  // A signal ends Node without the "exit" event; kill the children first, then let the
  // signal do what it would have done if no other handler is interested in it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      killAttached();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export function logPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}

function pidPath(dir: string, name: string): string {
  return join(dir, `${name}.pid`);
}

/**
 * Starts `binary` with its output appended to D/<name>.log. A detached process gets its own
 * session and survives this one; an attached one is killed when this process exits.
 */
export async function launch(
  dir: string,
  name: string,
  binary: string,
  args: string[],
  detached: boolean,
): Promise<LaunchedProcess> {
  const out = openSync(logPath(dir, name), "a");
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ["ignore", out, out], detached });
  } finally {
    closeSync(out);
  }
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? `exit code ${code}`));
    child.once("error", (err) => resolve(`failed to start: ${err.message}`));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${binary}: ${await exited}`);
  child.unref();
  if (!detached) {
    installExitHook();
    attached.add(pid);
    void exited.then(() => attached.delete(pid));
  }
  let ended = false;
  void exited.then(() => (ended = true));
  await writeFile(pidPath(dir, name), `${pid}\n`);
  return { name, pid, exited, ended: () => ended };
}

/**
 * Stops a process this one launched: SIGTERM, SIGKILL after `graceMs`. Resolves once Node has
 * seen it exit, which, unlike polling /proc, cannot be fooled by a process still tearing down.
 */
export async function stopLaunched(dir: string, proc: LaunchedProcess, graceMs = 15_000): Promise<void> {
  const send = (signal: NodeJS.Signals) => {
    if (proc.ended()) return; // its pid may have been reused
    try {
      process.kill(proc.pid, signal);
    } catch {
      // already gone
    }
  };
  send("SIGTERM");
  const kill = setTimeout(() => send("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(kill);
  await rm(pidPath(dir, proc.name), { force: true });
}

/** True while `pid` is a live process (a zombie nobody has reaped yet counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat === undefined || !/\) Z /.test(stat); // no procfs: trust kill(0)
}

/** True while `pid` is alive and still the program `name` (not a recycled pid). */
export async function isRunning(pid: number, name: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  return cmdline === undefined || cmdline.includes(name);
}

/** The pid recorded in D/<name>.pid, if any. */
export async function recordedPid(dir: string, name: string): Promise<number | undefined> {
  const text = await readFile(pidPath(dir, name), "utf8").catch(() => undefined);
  const pid = text === undefined ? Number.NaN : Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Stops the process recorded in D/<name>.pid (SIGTERM, then SIGKILL) and waits until it is gone. */
export async function stopRecorded(dir: string, name: string, graceMs = 15_000): Promise<void> {
  const pid = await recordedPid(dir, name);
  if (pid !== undefined && (await isRunning(pid, name))) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (await isRunning(pid, name)) {
      if (Date.now() > deadline) {
        process.kill(pid, "SIGKILL");
        while (await isRunning(pid, name)) await sleep(50);
        break;
      }
      await sleep(50);
    }
  }
  await rm(pidPath(dir, name), { force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of a log file, for error messages. */
export async function logTail(path: string, lines = 20): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
