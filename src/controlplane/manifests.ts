// Applying YAML manifests to an API server and waiting for CRDs to be served. Used by the
// test global setup (CRDs of crds/) and by tests that install or dry-run manifests.
import {
  ApiextensionsV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

const FIELD_MANAGER = "avd-dr";

/** Parses a multi-document YAML text into Kubernetes objects, skipping empty documents. */
export function parseManifests(text: string, source = "manifest"): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: document ${index + 1} is not valid YAML: ${doc.errors[0]?.message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${source}: document ${index + 1} is not a Kubernetes object (expected a mapping)`);
    }
    const object = value as KubernetesObject;
    if (!object.apiVersion || !object.kind) {
      throw new Error(`${source}: document ${index + 1} needs both apiVersion and kind`);
    }
    objects.push(object);
  }
  return objects;
}

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none. */
  namespace?: string;
  /** Validate on the server without persisting (server-side dry run). */
  dryRun?: boolean;
}

/** Server-side applies each object in order and returns what the server answered. */
export async function applyManifests(
  kc: KubeConfig,
  objects: KubernetesObject[],
  options: ApplyOptions = {},
): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const object of objects) {
    const spec: KubernetesObject = {
      ...object,
      metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? options.namespace },
    };
    if (spec.metadata?.namespace === undefined) delete spec.metadata?.namespace;
    // client-node serialises kinds it knows (CRDs among them) through its models, which
    // drop wire keys such as `enum`, `default` and `x-kubernetes-validations` unless the
    // object was first deserialised into model form; loadYaml does that (JSON is YAML).
    const result = await client.patch(
      loadYaml<KubernetesObject>(JSON.stringify(spec)),
      undefined,
      options.dryRun ? "All" : undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
    applied.push(result);
  }
  return applied;
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
}

/** Waits until every named CRD reports Established=True (its API is served). */
export async function waitForCrdsEstablished(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  let pending = [...names];
  while (pending.length > 0) {
    const still: string[] = [];
    for (const name of pending) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (!isEstablished(crd)) still.push(name);
    }
    pending = still;
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`CRDs not Established after ${timeoutMs} ms: ${pending.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
