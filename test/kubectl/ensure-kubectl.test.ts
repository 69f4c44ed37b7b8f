// Where kubectl comes from: KUBEBUILDER_ASSETS (setup-envtest's assets hold one), else the
// control plane's binary cache, built from the Go module proxy like kube-apiserver.
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished, test } from "vitest";
import { binaryCacheDir, ensureKubectl } from "../../src/controlplane/binaries.ts";

/** A fresh directory, removed when the test ends. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-kubectl-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("KUBEBUILDER_ASSETS/kubectl is used as it is: nothing is built or cached, Go is not needed", async () => {
  const assets = await tempDir();
  await writeFile(join(assets, "kubectl"), "#!/bin/sh\n");
  await chmod(join(assets, "kubectl"), 0o755);
  const cache = await tempDir();
  const path = await ensureKubectl({
    env: { KUBEBUILDER_ASSETS: assets, XDG_CACHE_HOME: cache, PATH: "/nonexistent" },
  });
  expect(path).toBe(join(assets, "kubectl"));
  expect(await readdir(cache)).toEqual([]);
});

test("KUBEBUILDER_ASSETS without kubectl is an error that names the variable, the file and the fix", async () => {
  const assets = await tempDir();
  await expect(ensureKubectl({ env: { KUBEBUILDER_ASSETS: assets } })).rejects.toThrow(
    `KUBEBUILDER_ASSETS=${assets}: ${join(assets, "kubectl")} is missing or not executable; point it at a directory with kubectl`,
  );
});

test("with nothing cached and no Go on PATH, the error says how to install Go or use KUBEBUILDER_ASSETS", async () => {
  const cache = await tempDir();
  await expect(ensureKubectl({ env: { XDG_CACHE_HOME: cache, PATH: "/nonexistent" } })).rejects.toThrow(
    /the Go toolchain is not on PATH: install Go .*or set KUBEBUILDER_ASSETS to a directory with ready-built kubectl$/,
  );
});

test("a cached kubectl is found where kube-apiserver is cached, without Go", async () => {
  const cache = await tempDir();
  const dir = binaryCacheDir({ XDG_CACHE_HOME: cache });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "kubectl"), "#!/bin/sh\n");
  await chmod(join(dir, "kubectl"), 0o755);
  await writeFile(join(dir, "kubectl.version"), "k8s.io/kubernetes@v1.37.2\n");
  const path = await ensureKubectl({ env: { XDG_CACHE_HOME: cache, PATH: "/nonexistent" } });
  expect(path).toBe(join(dir, "kubectl"));
});
