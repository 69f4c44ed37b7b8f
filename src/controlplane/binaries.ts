// Where the control plane's binaries come from: KUBEBUILDER_ASSETS when set (nothing is
// built), else a per-user cache filled by building the pinned versions from the Go module proxy.
import { access, constants, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { buildGoProgram, checkGo, type GoProgram } from "./go-build.ts";
import { withLockFile } from "./lock-file.ts";

export const KUBERNETES_VERSION = "v1.37.2";
export const ETCD_VERSION = "v3.7.3";

export interface Binaries {
  kubeApiServer: string;
  etcd: string;
}

export interface EnsureBinariesOptions {
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

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
  const root = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(root, "avd-dr", "control-plane", `k8s-${KUBERNETES_VERSION}`);
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** A cached binary counts only with a stamp naming the version it was built from. */
async function isCached(dir: string, program: GoProgram): Promise<boolean> {
  const stamp = await readFile(join(dir, `${program.name}.version`), "utf8").catch(() => "");
  return (
    stamp.trim() === `${program.module}@${program.version}` && (await isExecutable(join(dir, program.name)))
  );
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
  const log = options.log ?? (() => {});
  if (env.KUBEBUILDER_ASSETS) return fromAssets(env.KUBEBUILDER_ASSETS);
  const dir = binaryCacheDir(env);
  const binaries = { kubeApiServer: join(dir, KUBE_APISERVER.name), etcd: join(dir, ETCD.name) };
  const programs = [KUBE_APISERVER, ETCD];
  const missing = async () => {
    const result: GoProgram[] = [];
    for (const p of programs) if (!(await isCached(dir, p))) result.push(p);
    return result;
  };
  if ((await missing()).length === 0) return binaries;

  await mkdir(dir, { recursive: true });
  const lock = join(dir, "build.lock");
  const build = async (): Promise<void> => {
    const toBuild = await missing(); // another run may have built them while we waited
    if (toBuild.length === 0) return;
    log(`using ${await checkGo(join(dir, "go-version.log"), env)}`);
    for (const program of toBuild) {
      const started = Date.now();
      log(`building ${program.name} from ${program.module}@${program.version} (minutes the first time) …`);
      await buildGoProgram(program, join(dir, "build", program.name), join(dir, program.name), env);
      await writeFile(join(dir, `${program.name}.version`), `${program.module}@${program.version}\n`);
      log(`built ${program.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  await withLockFile(lock, build, (holder) => log(`waiting for another build (pid ${holder}, lock ${lock})`));
  return binaries;
}
