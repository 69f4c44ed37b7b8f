// helm, for linting and rendering charts/avd-dr-operator in tests: built from the Go module
// proxy (helm.sh/helm/v3's go.mod replaces nothing, so the plain wrapper module builds it) into
// the same per-user cache as kube-apiserver, never downloaded as a binary.
import { join } from "node:path";
import type { GoProgram } from "./go-build.ts";
import { type BuildOptions, cacheRoot, ensureGoPrograms } from "./tool-cache.ts";

// Helm 3: the major version Argo CD renders charts with.
export const HELM_VERSION = "v3.22.0";

const HELM: GoProgram = {
  name: "helm",
  module: "helm.sh/helm/v3",
  version: HELM_VERSION,
  pkg: "helm.sh/helm/v3/cmd/helm",
  ldflags: [
    "-s",
    "-w",
    // What helm's Makefile stamps: its version, and the Kubernetes version `helm template` and
    // `helm lint` assume without a cluster (its client-go v0.37 → 1.37, our test control plane's).
    `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
    "-X helm.sh/helm/v3/internal/version.gitTreeState=clean",
    "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1",
    "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37",
    "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1",
    "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37",
  ],
};

/** `<cache root>/tools/helm-<version>`: the built helm lives here. */
export function helmCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "tools", `helm-${HELM_VERSION}`);
}

/** Path of the helm binary, building it first if the cache lacks it (a few minutes; needs Go). */
export async function ensureHelm(options: BuildOptions = {}): Promise<string> {
  const dir = helmCacheDir(options.env);
  await ensureGoPrograms(dir, [HELM], options);
  return join(dir, HELM.name);
}
