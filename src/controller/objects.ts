// Writes to custom objects, each guarded by the object's resourceVersion (optimistic
// concurrency): status replaced through the status subresource, metadata merge-patched.
// A 409 Conflict means someone else wrote first; callers re-read and try again.
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { sleep } from "./backoff.ts";
import { isConflict, isNotFound } from "./errors.ts";

export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

export interface ObjectWithStatus<S> extends KubernetesObject {
  status?: S;
}

/** Reads and writes one kind of custom object. */
export class CustomObjectClient<T extends KubernetesObject> {
  readonly #api: CustomObjectsApi;
  readonly #resource: CustomResource;

  constructor(kc: KubeConfig, resource: CustomResource) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#resource = resource;
  }

  /** The object as the API server has it now, or undefined if it does not exist. */
  async get(namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({ ...this.#resource, namespace, name })) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Replaces the status; fails with 409 if `obj.metadata.resourceVersion` is no longer current. */
  async replaceStatus(obj: T): Promise<T> {
    const { namespace = "", name = "" } = obj.metadata ?? {};
    return (await this.#api.replaceNamespacedCustomObjectStatus({
      ...this.#resource,
      namespace,
      name,
      body: obj,
    })) as T;
  }

  /** JSON-merge-patches the object; with `metadata.resourceVersion` in the patch it fails with 409 if stale. */
  async mergePatch(namespace: string, name: string, patch: object): Promise<T> {
    return (await this.#api.patchNamespacedCustomObject(
      { ...this.#resource, namespace, name, body: patch },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as T;
  }
}

/** Computes the next status from the current object; returning undefined means "write nothing". */
export type StatusMutation<T extends ObjectWithStatus<S>, S> = (current: T) => S | undefined;

/** What a reconciler needs to record status; it never sees the API client behind it. */
export interface StatusWriter<T extends ObjectWithStatus<S>, S> {
  /**
   * Writes `mutate(current).status`. On a conflict it re-reads the object and calls `mutate`
   * again, so the mutation must derive the status from the object it is given.
   * Resolves to the written object, the unchanged object when there was nothing to write, or
   * undefined when the object no longer exists.
   */
  update(obj: T, mutate: StatusMutation<T, S>): Promise<T | undefined>;
}

export interface ConflictRetryOptions {
  /** Attempts in all, client-go's DefaultRetry has 5. */
  attempts?: number;
  /** Called after each conflict; for metrics and tests. */
  onConflict?: () => void;
}

export class ConflictRetryingStatusWriter<T extends ObjectWithStatus<S>, S> implements StatusWriter<T, S> {
  readonly #client: CustomObjectClient<T>;
  readonly #attempts: number;
  readonly #onConflict: () => void;

  constructor(client: CustomObjectClient<T>, options: ConflictRetryOptions = {}) {
    this.#client = client;
    this.#attempts = options.attempts ?? 5;
    this.#onConflict = options.onConflict ?? (() => {});
  }

  async update(obj: T, mutate: StatusMutation<T, S>): Promise<T | undefined> {
    const { namespace = "", name = "" } = obj.metadata ?? {};
    let current: T | undefined = obj;
    for (let attempt = 1; ; attempt++) {
      if (!current) return undefined;
      const status = mutate(current);
      if (status === undefined || sameJson(status, current.status)) return current;
      try {
        return await this.#client.replaceStatus({ ...current, status });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error) || attempt >= this.#attempts) throw error;
        this.#onConflict();
        // Jittered pause, as client-go's DefaultRetry, so two writers do not collide again in step.
        await sleep(10 * attempt * (1 + Math.random()));
        current = await this.#client.get(namespace, name);
      }
    }
  }
}

/** Deep equality of JSON values, ignoring key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
