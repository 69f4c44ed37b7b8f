// `avd-dr control-plane up|down` through the package's bin, as `npx avd-dr` runs it: `up`
// returns with both processes left running, `down` stops them. KUBEBUILDER_ASSETS supplies
// the binaries and no Go is on PATH, so nothing can be built.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, expect, test } from "vitest";
import { ensureBinaries } from "../../src/controlplane/binaries.ts";
import { isRunning } from "../../src/controlplane/processes.ts";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..", "..");
const temporary: string[] = [];

afterAll(async () => {
  for (const dir of temporary) {
    await run(process.execPath, ["bin/avd-dr.js", "control-plane", "down", "--dir", dir], { cwd: repo });
    await rm(dir, { recursive: true, force: true });
  }
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

test("`up` leaves kube-apiserver and etcd running from KUBEBUILDER_ASSETS; `down` stops them", async () => {
  const assets = dirname((await ensureBinaries()).kubeApiServer);
  const dir = await tempDir("avd-dr-cli-");
  const emptyCache = await tempDir("avd-dr-cli-cache-");
  // Only node on PATH: any attempt to build would fail for want of `go`.
  const env = {
    ...process.env,
    KUBEBUILDER_ASSETS: assets,
    XDG_CACHE_HOME: emptyCache,
    PATH: dirname(process.execPath),
  };
  const avdDr = (...args: string[]) =>
    run(process.execPath, ["bin/avd-dr.js", "control-plane", ...args], { cwd: repo, env });

  const up = await avdDr("up", "--dir", dir);
  expect(up.stdout.trim()).toBe(join(dir, "kubeconfig"));
  expect(await readdir(emptyCache)).toEqual([]);
  const pids = {
    apiserver: Number.parseInt(await readFile(join(dir, "kube-apiserver.pid"), "utf8"), 10),
    etcd: Number.parseInt(await readFile(join(dir, "etcd.pid"), "utf8"), 10),
  };
  expect(await isRunning(pids.apiserver, join(assets, "kube-apiserver"))).toBe(true);
  expect(await isRunning(pids.etcd, join(assets, "etcd"))).toBe(true);
  const kc = new KubeConfig();
  kc.loadFromFile(join(dir, "kubeconfig"));
  const core = kc.makeApiClient(CoreV1Api);
  expect((await core.listNamespace()).items.length).toBeGreaterThan(0);

  await avdDr("down", "--dir", dir);
  expect(await isRunning(pids.apiserver, "kube-apiserver")).toBe(false);
  expect(await isRunning(pids.etcd, "etcd")).toBe(false);
  await expect(core.listNamespace()).rejects.toThrow();
});

test("`down` on a directory where nothing runs does nothing and succeeds", async () => {
  const dir = await tempDir("avd-dr-cli-empty-");
  const down = await run(process.execPath, ["bin/avd-dr.js", "control-plane", "down", "--dir", dir], {
    cwd: repo,
  });
  expect(down.stderr).toBe("");
});
