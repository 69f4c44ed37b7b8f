// A test run that crashes or is terminated must not leave kube-apiserver and etcd behind.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { stopControlPlane } from "../../src/controlplane/control-plane.ts";
import { isRunning } from "../../src/controlplane/processes.ts";

const controlPlaneModule = join(import.meta.dirname, "..", "..", "src", "controlplane", "control-plane.ts");
const temporary: string[] = [];

afterAll(async () => {
  for (const dir of temporary) {
    await stopControlPlane(dir); // only matters if a test failed
    await rm(dir, { recursive: true, force: true });
  }
});

/** Runs a Node program that starts an attached control plane in `dir`, then does `ending`. */
async function runOwner(ending: string): Promise<{ dir: string; exit: string }> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-crash-"));
  temporary.push(dir);
  const script = join(dir, "owner.ts");
  await writeFile(
    script,
    [
      `import { startControlPlane } from ${JSON.stringify(controlPlaneModule)};`,
      `await startControlPlane({ dir: ${JSON.stringify(dir)} });`,
      ending,
    ].join("\n"),
  );
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("started")) child.kill("SIGTERM");
  });
  const exit = await new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? `code ${code}`));
  });
  return { dir, exit };
}

async function pidsIn(dir: string): Promise<Record<string, number>> {
  const pids: Record<string, number> = {};
  for (const name of ["etcd", "kube-apiserver"]) {
    pids[name] = Number.parseInt(await readFile(join(dir, `${name}.pid`), "utf8"), 10);
  }
  return pids;
}

async function expectAllGone(pids: Record<string, number>): Promise<void> {
  for (const [name, pid] of Object.entries(pids)) {
    await expect.poll(() => isRunning(pid, name), { timeout: 20_000 }).toBe(false);
  }
}

test("an uncaught error in the owning process takes kube-apiserver and etcd down with it", async () => {
  const { dir, exit } = await runOwner('throw new Error("the test run crashed");');
  expect(exit).toBe("code 1");
  await expectAllGone(await pidsIn(dir));
});

test("SIGTERM to the owning process takes kube-apiserver and etcd down with it", async () => {
  // Keeps running until the test's SIGTERM arrives.
  const { dir, exit } = await runOwner('console.log("started");\nsetInterval(() => {}, 1000);');
  expect(exit).toBe("SIGTERM");
  await expectAllGone(await pidsIn(dir));
});
