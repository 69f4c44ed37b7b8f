// What tests need to talk to the run's real API server (started by test/global-setup.ts):
// its admin kubeconfig, a fresh namespace per test, and applying YAML.
import { CoreV1Api, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { inject } from "vitest";
import { type ApplyOptions, applyManifests, parseManifests } from "../../src/controlplane/manifests.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfigPath: string;
  }
}

/** Path of the admin kubeconfig of the run's control plane. */
export function testKubeconfigPath(): string {
  const path = process.env.AVD_DR_TEST_KUBECONFIG ?? inject("kubeconfigPath");
  if (!path) throw new Error("no test control plane: is test/global-setup.ts the vitest globalSetup?");
  return path;
}

/** A KubeConfig for the run's API server as cluster admin (group system:masters). */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  return kc;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Creates a new, uniquely named namespace and returns its name. There is no
 * controller-manager, so namespaces are never deleted: each test gets its own instead.
 */
export async function freshNamespace(prefix = "test"): Promise<string> {
  if (!DNS_LABEL.test(prefix) || prefix.length > 40) {
    throw new Error(
      `freshNamespace: prefix "${prefix}" must be a lower-case DNS label of at most 40 characters`,
    );
  }
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-` } } });
  const name = created.metadata?.name;
  if (!name) throw new Error("freshNamespace: the API server returned a namespace without a name");
  return name;
}

/**
 * A KubeConfig that authenticates as ServiceAccount `namespace/name` (created if absent) with a
 * short-lived token: it can do only what RBAC grants that ServiceAccount.
 */
export async function serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const admin = testKubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  await core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
    .catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`serviceAccountKubeConfig: no token issued for ${namespace}/${name}`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("serviceAccountKubeConfig: the admin kubeconfig names no cluster");
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, { name: `system:serviceaccount:${namespace}:${name}`, token });
  return kc;
}

/** Server-side applies every object of a (multi-document) YAML text; returns the server's objects. */
export async function applyYaml(yamlText: string, options: ApplyOptions = {}): Promise<KubernetesObject[]> {
  return applyManifests(testKubeConfig(), parseManifests(yamlText), options);
}
