// Where glua and kstatus-check come from: built from the Go module proxy into the per-user tool
// cache (the global setup builds them), and kstatus-check built again when our main.go changes.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  ensureGlua,
  ensureKstatusCheck,
  GLUA,
  kstatusCheckProgram,
} from "../../src/controlplane/gitops-tools.ts";
import { toolCacheDir } from "../../src/controlplane/tool-cache.ts";

const caches: string[] = [];
afterEach(() => Promise.all(caches.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function emptyCache() {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-gitops-cache-"));
  caches.push(dir);
  return { XDG_CACHE_HOME: dir, PATH: "/nonexistent" };
}

test("with nothing cached and no Go on PATH, the error says how to install Go", async () => {
  const env = await emptyCache();
  for (const ensure of [ensureGlua, ensureKstatusCheck])
    await expect(ensure({ env })).rejects.toThrow("the Go toolchain is not on PATH: install Go");
  expect(toolCacheDir(GLUA, env)).toBe(join(env.XDG_CACHE_HOME, "avd-dr", "tools", "glua-v1.1.2"));
});

test("kstatus-check is taken from the cache only if it was built from today's main.go", async () => {
  const program = await kstatusCheckProgram();
  const built = toolCacheDir(program); // filled by the global setup
  const env = await emptyCache();
  const dir = toolCacheDir(program, env);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "kstatus-check"), "#!/bin/sh\n");
  await chmod(join(dir, "kstatus-check"), 0o755);
  await copyFile(join(built, "kstatus-check.version"), join(dir, "kstatus-check.version"));
  expect(await ensureKstatusCheck({ env })).toBe(join(dir, "kstatus-check"));

  const stamp = await readFile(join(dir, "kstatus-check.version"), "utf8");
  expect(stamp).toMatch(/^sigs\.k8s\.io\/cli-utils@v0\.37\.2 main\.go sha256:[0-9a-f]{64}\n$/);
  await writeFile(join(dir, "kstatus-check.version"), stamp.replace(/sha256:[0-9a-f]{8}/, "sha256:00000000"));
  await expect(ensureKstatusCheck({ env })).rejects.toThrow("the Go toolchain is not on PATH");
});
