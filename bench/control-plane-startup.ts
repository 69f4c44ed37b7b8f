// Start-up figures of the local control plane on this machine.
//
//   node bench/control-plane-startup.ts            warm: cached binaries, `control-plane up`/`down` ×5
//   node bench/control-plane-startup.ts --build    also time a build of both binaries into a fresh
//                                                  binary cache with Go's build cache as it is (warm);
//   GOCACHE=$(mktemp -d) node bench/control-plane-startup.ts --build    … with an empty one (cold)
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureBinaries, startControlPlane } from "../src/controlplane/control-plane.ts";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..");
const runs = 5;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const fmt = (n: number | undefined) => `${((n ?? Number.NaN) / 1000).toFixed(2)} s`;
  return `${label.padEnd(44)} median ${fmt(median)}  min ${fmt(sorted[0])}  max ${fmt(sorted.at(-1))}  (n=${ms.length})`;
}

if (process.argv.includes("--build")) {
  const cache = await mkdtemp(join(tmpdir(), "avd-dr-bench-cache-"));
  // Go's default build cache lives under XDG_CACHE_HOME too: keep it where it was.
  const goCache = process.env.GOCACHE || (await run("go", ["env", "GOCACHE"])).stdout.trim();
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, GOCACHE: goCache };
  delete env.KUBEBUILDER_ASSETS;
  console.log(`building into ${cache} (GOCACHE=${goCache}) …`);
  const [, ms] = await timed(() => ensureBinaries({ env, log: (line) => console.log(`  ${line}`) }));
  console.log(`build of kube-apiserver + etcd: ${(ms / 1000).toFixed(1)} s`);
  await rm(cache, { recursive: true, force: true });
}

const [, checkMs] = await timed(() => ensureBinaries());
console.log(`finding cached binaries: ${checkMs.toFixed(1)} ms`);

const up: number[] = [];
const down: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-bench-"));
  const cli = (verb: string) =>
    run(process.execPath, ["bin/avd-dr.js", "control-plane", verb, "--dir", dir], { cwd: repo });
  up.push((await timed(() => cli("up")))[1]);
  down.push((await timed(() => cli("down")))[1]);
  await rm(dir, { recursive: true, force: true });
}

const restart: number[] = [];
const dir = await mkdtemp(join(tmpdir(), "avd-dr-bench-"));
const [controlPlane, programmaticMs] = await timed(() => startControlPlane({ dir }));
for (let i = 0; i < runs; i++) {
  await controlPlane.stopApiServer();
  restart.push((await timed(() => controlPlane.startApiServer()))[1]);
}
await controlPlane.stop();
await rm(dir, { recursive: true, force: true });

console.log(summary("`avd-dr control-plane up` until ready", up));
console.log(summary("`avd-dr control-plane down`", down));
console.log(summary("startControlPlane() in-process", [programmaticMs]));
console.log(summary("startApiServer() after stopApiServer()", restart));
