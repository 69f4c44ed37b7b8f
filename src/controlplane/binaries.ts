// Where the control plane's binaries come from: KUBEBUILDER_ASSETS when set (nothing is
// built), else a per-user cache filled by building the pinned versions from the Go module proxy.
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

const KUBE_APISERVER: GoProgram = {
  name: "kube-apiserver",
  module: "k8s.io/kubernetes",
  version: KUBERNETES_VERSION,
  pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
  // Staging modules are published as v0.N.x for Kubernetes v1.N.x.
  replaceStaging: { version: KUBERNETES_VERSION.replace(/^v1\./, "v0.") },
  ldflags: [
    "-s",
    "-w",
    // What Kubernetes' own build stamps; without it the server reports v0.0.0.
    `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
    `-X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION.split(".")[0]?.slice(1)}`,
    `-X k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.split(".")[1]}`,
    "-X k8s.io/component-base/version.gitTreeState=clean",
  ],
};

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

async function fromAssets(assets: string): Promise<Binaries> {
  const binaries = { kubeApiServer: join(assets, "kube-apiserver"), etcd: join(assets, "etcd") };
  for (const path of Object.values(binaries)) {
    if (!(await isExecutable(path))) {
      throw new Error(
        `KUBEBUILDER_ASSETS=${assets}: ${path} is missing or not executable; ` +
          "point it at a directory with kube-apiserver and etcd, or unset it to build them",
      );
    }
  }
  return binaries;
}

/**
 * Paths of kube-apiserver and etcd: from KUBEBUILDER_ASSETS if set, else from the cache,
 * building what is missing (minutes the first time; needs Go).
 */
export async function ensureBinaries(options: EnsureBinariesOptions = {}): Promise<Binaries> {
  const env = options.env ?? process.env;
  if (env.KUBEBUILDER_ASSETS) return fromAssets(env.KUBEBUILDER_ASSETS);
  const dir = binaryCacheDir(env);
  await ensureGoPrograms(dir, [KUBE_APISERVER, ETCD], options).catch((err: unknown) => {
    if (!(err instanceof GoMissingError)) throw err;
    throw new GoMissingError(
      `${err.message}, or set KUBEBUILDER_ASSETS to a directory that holds ready kube-apiserver and etcd binaries`,
    );
  });
  return { kubeApiServer: join(dir, KUBE_APISERVER.name), etcd: join(dir, ETCD.name) };
}
