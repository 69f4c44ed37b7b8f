// vitest globalSetup: one real control plane (kube-apiserver + etcd) per run with the CRDs
// of crds/ installed, or the already running one named by AVD_DR_TEST_KUBECONFIG (fast loop).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { type ControlPlane, ensureKubectl, startControlPlane } from "../src/controlplane/control-plane.ts";
import { ensureGlua, ensureKstatusCheck } from "../src/controlplane/gitops-tools.ts";
import { ensureHelm } from "../src/controlplane/helm.ts";
import { applyManifests, parseManifests, waitForCrdsEstablished } from "../src/controlplane/manifests.ts";

const CRD_DIR = join(import.meta.dirname, "..", "crds");

async function installCrds(kubeconfigPath: string): Promise<void> {
  const files = (await readdir(CRD_DIR).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) return;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const names: string[] = [];
  for (const file of files) {
    const path = join(CRD_DIR, file);
    const objects = parseManifests(await readFile(path, "utf8"), path);
    await applyManifests(kc, objects);
    for (const o of objects)
      if (o.kind === "CustomResourceDefinition" && o.metadata?.name) names.push(o.metadata.name);
  }
  await waitForCrdsEstablished(kc, names);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let controlPlane: ControlPlane | undefined;
  let dir: string | undefined;
  let kubeconfigPath = process.env.AVD_DR_TEST_KUBECONFIG;
  // test/chart's helm, test/gitops' glua and kstatus-check and the kubectl of test/support, built
  // before any test runs: a cold build (minutes for helm, both cores) beside running tests would
  // slow the timing-sensitive ones.
  await ensureHelm({ log: (line) => console.log(`[helm] ${line}`) });
  await ensureKubectl({ log: (line) => console.log(`[kubectl] ${line}`) });
  await ensureGlua({ log: (line) => console.log(`[glua] ${line}`) });
  await ensureKstatusCheck({ log: (line) => console.log(`[kstatus-check] ${line}`) });
  if (!kubeconfigPath) {
    dir = await mkdtemp(join(tmpdir(), "avd-dr-test-"));
    controlPlane = await startControlPlane({ dir, log: (line) => console.log(`[control-plane] ${line}`) });
    kubeconfigPath = controlPlane.kubeconfigPath;
  }
  await installCrds(kubeconfigPath);
  project.provide("kubeconfigPath", kubeconfigPath);
  process.env.AVD_DR_TEST_KUBECONFIG = kubeconfigPath;
  return async () => {
    await controlPlane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
