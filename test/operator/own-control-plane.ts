// A control plane of the test's own, for tests that stop the API server or change the CRDs:
// things the run's shared control plane must not see.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { customResourceDefinitions } from "../../src/api/crds.ts";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/control-plane.ts";
import { applyManifests, waitForCrdsEstablished } from "../../src/controlplane/manifests.ts";

export interface OwnControlPlane {
  cp: ControlPlane;
  kc: KubeConfig;
  /** Installs CRDs (ours, or altered copies) and waits until they are served. */
  installCrds(crds?: KubernetesObject[]): Promise<void>;
  stop(): Promise<void>;
}

/** A deep copy: the generated CRDs share arrays with the schemas the operator checks objects against. */
export const ourCrds = (): KubernetesObject[] =>
  structuredClone(customResourceDefinitions()) as unknown as KubernetesObject[];

export async function startOwnControlPlane(): Promise<OwnControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-own-cp-"));
  const cp = await startControlPlane({ dir });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const installCrds = async (crds = ourCrds()) => {
    await applyManifests(kc, crds);
    await waitForCrdsEstablished(
      kc,
      crds.map((c) => c.metadata!.name!),
    );
  };
  await installCrds();
  return {
    cp,
    kc,
    installCrds,
    async stop() {
      await cp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
