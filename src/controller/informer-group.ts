// One informer per watched namespace (or one for all namespaces), seen by reconcilers as one
// cache. `--namespace` may be given several times; RBAC can then be namespaced Roles.
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { Informer, type InformerHandlers, type InformerOptions } from "./informer.ts";
import { HttpListerWatcher, type ResourceRef } from "./kube-http.ts";
import { type IndexFunc, type StoreReader, splitKey } from "./store.ts";

/** What a controller needs of an informer: handlers and "has the first list arrived". */
export interface EventSource<T> {
  addHandlers(handlers: InformerHandlers<T>): void;
  waitForSync(): Promise<void>;
}

export class InformerGroup<T extends KubernetesObject> implements EventSource<T>, StoreReader<T> {
  readonly informers: Informer<T>[];
  readonly #byNamespace = new Map<string, Informer<T>>();

  /** `namespaces` empty: one informer over all namespaces. */
  constructor(
    kc: KubeConfig,
    ref: Omit<ResourceRef, "namespace">,
    namespaces: string[],
    options: InformerOptions<T>,
  ) {
    const scopes = namespaces.length > 0 ? namespaces : [""];
    this.informers = scopes.map((namespace) => {
      const lw = new HttpListerWatcher<T>(kc, namespace ? { ...ref, namespace } : ref);
      const log = options.log?.child({ resource: ref.plural, namespace: namespace || "*" });
      const informer = new Informer<T>(lw, { ...options, log });
      if (namespace) this.#byNamespace.set(namespace, informer);
      return informer;
    });
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    for (const i of this.informers) i.store.addIndex(name, fn);
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    for (const i of this.informers) i.addHandlers(handlers);
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
  }

  get synced(): boolean {
    return this.informers.every((i) => i.synced);
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  get(key: string): T | undefined {
    const informer =
      this.#byNamespace.get(splitKey(key).namespace) ??
      (this.#byNamespace.size ? undefined : this.informers[0]);
    return informer?.store.get(key);
  }

  list(): T[] {
    return this.informers.flatMap((i) => i.store.list());
  }

  byIndex(index: string, value: string): T[] {
    return this.informers.flatMap((i) => i.store.byIndex(index, value));
  }
}
