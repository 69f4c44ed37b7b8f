// Where the control plane's binaries (and the kubectl of the same release, for tests) come from:
// KUBEBUILDER_ASSETS when set (nothing is built), else a per-user cache filled by building the
// pinned versions from the Go module proxy.
import { join } from "node:path";
import { GoMissingError, type GoProgram } from "./go-build.ts";
import { type BuildOptions, cacheRoot, ensureGoPrograms, isExecutable } from "./tool-cache.ts";

export const KUBERNETES_VERSION = "v1.37.2";
export const ETCD_VERSION = "v3.7.3";

export interface Binaries {
  kubeApiServer: string;
  etcd: string;
}

export type EnsureBinariesOptions = BuildOptions;

/** A program of k8s.io/kubernetes at the pinned release, stamped the way Kubernetes' own build stamps it. */
function kubernetesProgram(name: string): GoProgram {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split(".");
  // hack/lib/version.sh stamps both packages; without it the binary reports v0.0.0.
  const stamp = (key: string, value: string) =>
    ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].map(
      (pkg) => `-X ${pkg}.${key}=${value}`,
    );
  return {
    name,
    module: "k8s.io/kubernetes",
    version: KUBERNETES_VERSION,
    pkg: `k8s.io/kubernetes/cmd/${name}`,
    // Staging modules are published as v0.N.x for Kubernetes v1.N.x.
    replaceStaging: { version: KUBERNETES_VERSION.replace(/^v1\./, "v0.") },
    ldflags: [
      "-s",
      "-w",
      ...stamp("gitVersion", KUBERNETES_VERSION),
      ...stamp("gitMajor", major!),
      ...stamp("gitMinor", minor!),
      ...stamp("gitTreeState", "clean"),
    ],
  };
}

const KUBE_APISERVER = kubernetesProgram("kube-apiserver");
// Its wrapper module requires exactly what kube-apiserver's does, so Go's build cache already
// holds every package the two share (client-go, apimachinery, …): only kubectl's own compile.
const KUBECTL = kubernetesProgram("kubectl");

const ETCD: GoProgram = {
  name: "etcd",
  module: "go.etcd.io/etcd/server/v3",
  version: ETCD_VERSION,
  pkg: "go.etcd.io/etcd/server/v3",
  ldflags: ["-s", "-w"],
};

/** `${XDG_CACHE_HOME:-~/.cache}/avd-dr/control-plane/k8s-<version>`: the built binaries live here. */
export function binaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "control-plane", `k8s-${KUBERNETES_VERSION}`);
}

/** `assets/<name>` for each name, failing with what to do when one is missing. */
async function fromAssets(assets: string, names: string[]): Promise<string[]> {
  const paths = names.map((name) => join(assets, name));
  for (const path of paths) {
    if (!(await isExecutable(path))) {
      throw new Error(
        `KUBEBUILDER_ASSETS=${assets}: ${path} is missing or not executable; ` +
          `point it at a directory with ${names.join(" and ")} (setup-envtest's assets have kube-apiserver, etcd and kubectl), or unset it to build them`,
      );
    }
  }
  return paths;
}

/** Builds what the cache lacks, turning "no Go" into an error that also names KUBEBUILDER_ASSETS. */
async function ensureCached(programs: GoProgram[], options: BuildOptions): Promise<string> {
  const dir = binaryCacheDir(options.env);
  await ensureGoPrograms(dir, programs, options).catch((err: unknown) => {
    if (!(err instanceof GoMissingError)) throw err;
    throw new GoMissingError(
      `${err.message}, or set KUBEBUILDER_ASSETS to a directory with ready-built ${programs.map((p) => p.name).join(" and ")}`,
    );
  });
  return dir;
}

/**
 * Paths of kube-apiserver and etcd: from KUBEBUILDER_ASSETS if set, else from the cache,
 * building what is missing (minutes the first time; needs Go).
 */
export async function ensureBinaries(options: EnsureBinariesOptions = {}): Promise<Binaries> {
  const assets = (options.env ?? process.env).KUBEBUILDER_ASSETS;
  if (assets) {
    const [kubeApiServer, etcd] = await fromAssets(assets, [KUBE_APISERVER.name, ETCD.name]);
    return { kubeApiServer: kubeApiServer!, etcd: etcd! };
  }
  const dir = await ensureCached([KUBE_APISERVER, ETCD], options);
  return { kubeApiServer: join(dir, KUBE_APISERVER.name), etcd: join(dir, ETCD.name) };
}

/**
 * Path of kubectl at the control plane's Kubernetes release: `$KUBEBUILDER_ASSETS/kubectl` if
 * that is set, else from the cache beside kube-apiserver, built if missing (needs Go).
 */
export async function ensureKubectl(options: BuildOptions = {}): Promise<string> {
  const assets = (options.env ?? process.env).KUBEBUILDER_ASSETS;
  if (assets) return (await fromAssets(assets, [KUBECTL.name]))[0]!;
  return join(await ensureCached([KUBECTL], options), KUBECTL.name);
}
