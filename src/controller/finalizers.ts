// Finalizers: a finalizer on an object makes the API server keep it (with deletionTimestamp set)
// until the operator has cleaned up and removed the finalizer.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { CustomObjectClient } from "./objects.ts";

export const hasFinalizer = (obj: KubernetesObject, finalizer: string): boolean =>
  obj.metadata?.finalizers?.includes(finalizer) ?? false;

/** What a reconciler needs to hold or release an object. */
export interface FinalizerWriter<T extends KubernetesObject> {
  add(obj: T, finalizer: string): Promise<T>;
  remove(obj: T, finalizer: string): Promise<T>;
}

/**
 * Merge-patches metadata.finalizers, guarded by the object's resourceVersion: the whole list is
 * replaced, so a stale list must not overwrite another controller's finalizer. A conflict
 * surfaces as an error and the runner retries with the fresh object from the cache.
 */
export class FinalizerPatcher<T extends KubernetesObject> implements FinalizerWriter<T> {
  readonly #client: CustomObjectClient<T>;

  constructor(client: CustomObjectClient<T>) {
    this.#client = client;
  }

  add(obj: T, finalizer: string): Promise<T> {
    if (hasFinalizer(obj, finalizer)) return Promise.resolve(obj);
    return this.#write(obj, [...(obj.metadata?.finalizers ?? []), finalizer]);
  }

  remove(obj: T, finalizer: string): Promise<T> {
    if (!hasFinalizer(obj, finalizer)) return Promise.resolve(obj);
    return this.#write(
      obj,
      (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
    );
  }

  #write(obj: T, finalizers: string[]): Promise<T> {
    const { namespace = "", name = "", resourceVersion } = obj.metadata ?? {};
    return this.#client.mergePatch(namespace, name, { metadata: { resourceVersion, finalizers } });
  }
}
