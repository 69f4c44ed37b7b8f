// The informer's cache: objects by namespace/name, plus secondary indexes
// (for example "FailoverRequests by plan") that reconcilers query instead of the API server.
import type { KubernetesObject } from "@kubernetes/client-node";

/** A cache key: "namespace/name", or "name" for cluster-scoped objects. */
export function keyOf(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  if (!name) throw new Error("object has no metadata.name");
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Returns the index values of an object: "which buckets it belongs to". */
export type IndexFunc<T> = (obj: T) => string[];

/** What reconcilers read: a cache, never the API server. */
export interface StoreReader<T> {
  get(key: string): T | undefined;
  list(): T[];
  byIndex(index: string, value: string): T[];
}

export class Store<T extends KubernetesObject> implements StoreReader<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  // index name → index value → keys
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.#indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#items) this.#indexObject(index, fn, key, obj);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  get size(): number {
    return this.#items.size;
  }

  byIndex(index: string, value: string): T[] {
    if (!this.#indexers.has(index)) throw new Error(`no index named ${index}`);
    const keys = this.#indexes.get(index)?.get(value) ?? [];
    return [...keys].map((k) => this.#items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Stores the object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) this.#indexObject(this.#indexes.get(name)!, fn, key, obj);
    return old;
  }

  /** Removes the object with this key; returns it. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #indexObject(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const value of fn(obj)) {
      const keys = index.get(value) ?? new Set<string>();
      keys.add(key);
      index.set(value, keys);
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
