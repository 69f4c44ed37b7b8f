// Where kube-apiserver and etcd come from, and the errors when they can't be had.
import { chmod, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { binaryCacheDir, ensureBinaries } from "../../src/controlplane/binaries.ts";
import { buildGoProgram, stagingModules, wrapperGoMod } from "../../src/controlplane/go-build.ts";

const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-binaries-"));
  temporary.push(dir);
  return dir;
}

test("KUBEBUILDER_ASSETS is used as it is: nothing is built or cached, Go is not needed", async () => {
  const assets = await tempDir();
  for (const name of ["kube-apiserver", "etcd"]) {
    await writeFile(join(assets, name), "#!/bin/sh\n");
    await chmod(join(assets, name), 0o755);
  }
  const cache = await tempDir();
  const binaries = await ensureBinaries({
    env: { KUBEBUILDER_ASSETS: assets, XDG_CACHE_HOME: cache, PATH: "/nonexistent" },
  });
  expect(binaries).toEqual({ kubeApiServer: join(assets, "kube-apiserver"), etcd: join(assets, "etcd") });
  expect(await readdir(cache)).toEqual([]);
});

test("KUBEBUILDER_ASSETS without the binaries is an error that names the variable and the file", async () => {
  const assets = await tempDir();
  await expect(ensureBinaries({ env: { KUBEBUILDER_ASSETS: assets } })).rejects.toThrow(
    `KUBEBUILDER_ASSETS=${assets}: ${join(assets, "kube-apiserver")} is missing or not executable`,
  );
});

test("with nothing cached and no Go on PATH, the error says how to install Go or use KUBEBUILDER_ASSETS", async () => {
  const cache = await tempDir();
  await expect(ensureBinaries({ env: { XDG_CACHE_HOME: cache, PATH: "/nonexistent" } })).rejects.toThrow(
    /the Go toolchain is not on PATH: install Go .*or set KUBEBUILDER_ASSETS/,
  );
  expect(binaryCacheDir({ XDG_CACHE_HOME: cache })).toBe(
    join(cache, "avd-dr", "control-plane", "k8s-v1.37.2"),
  );
});

test("a failed Go command is an error carrying the tail of Go's output", async () => {
  const work = await tempDir();
  const program = {
    name: "nothing",
    module: "example.invalid/nothing",
    version: "v1.0.0",
    pkg: "example.invalid/nothing",
    ldflags: [],
  };
  // GOPROXY=off: the module can't be fetched, so `go mod download` fails without touching the network.
  await expect(
    buildGoProgram(program, work, join(work, "nothing"), {
      ...process.env,
      GOPROXY: "off",
      GOFLAGS: "-mod=mod",
    }),
  ).rejects.toThrow(
    /`go mod download -json example.invalid\/nothing@v1.0.0` failed \(exit 1\)[\s\S]*GOPROXY=off/,
  );
});

test("the wrapper module replaces each staging module of Kubernetes' go.mod with its published version", () => {
  const upstream = [
    "module k8s.io/kubernetes",
    "",
    "go 1.26.0",
    "",
    "require (",
    "\tk8s.io/api v0.0.0",
    "\tgithub.com/spf13/cobra v1.10.2",
    ")",
    "",
    "replace (",
    "\tk8s.io/api => ./staging/src/k8s.io/api",
    "\tk8s.io/client-go => ./staging/src/k8s.io/client-go",
    "\tgithub.com/example/fork => github.com/example/fork v1.2.3",
    ")",
  ].join("\n");
  expect(stagingModules(upstream)).toEqual(["k8s.io/api", "k8s.io/client-go"]);
  const goMod = wrapperGoMod(
    {
      name: "kube-apiserver",
      module: "k8s.io/kubernetes",
      version: "v1.37.2",
      pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
      ldflags: [],
      replaceStaging: { version: "v0.37.2" },
    },
    upstream,
  );
  expect(goMod).toBe(
    [
      "module avd-dr.local/build/kube-apiserver",
      "",
      "go 1.26.0",
      "",
      "require k8s.io/kubernetes v1.37.2",
      "",
      "replace (",
      "\tk8s.io/api => k8s.io/api v0.37.2",
      "\tk8s.io/client-go => k8s.io/client-go v0.37.2",
      ")",
      "",
    ].join("\n"),
  );
});
