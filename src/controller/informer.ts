// An informer: lists, then watches from the list's resourceVersion, keeping a Store current and
// telling handlers what changed. It never stops on its own: a watch the server ends (timeout) is
// resumed from the last resourceVersion seen (bookmarks keep it fresh), 410 Gone leads to a
// re-list, and any other error to a retry with backoff. A periodic resync re-delivers every
// cached object so level-triggered reconcilers look again even if nothing changed.
import type { KubernetesObject } from "@kubernetes/client-node";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import { isGone, KubeApiError } from "./errors.ts";
import type { EventSource } from "./informer-group.ts";
import type { ListerWatcher, WatchEvent } from "./kube-http.ts";
import { errorMessage, type Log, silentLog } from "./logger.ts";
import { keyOf, Store } from "./store.ts";

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/** Trims an object before it is cached: what the reconcilers do not read costs memory for nothing. */
export type Transform<T> = (obj: T) => T;

/** managedFields is often the larger part of an object and no reconciler reads it. */
export function withoutManagedFields<T extends KubernetesObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  /** Server-side watch timeout; each watch draws a random value in [min, max). Default 5–10 min. */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Re-deliver every cached object this often (0: never). */
  resyncMs?: number;
  /** Applied to every object before it is cached or handed to handlers; default withoutManagedFields. */
  transform?: Transform<T>;
  backoff?: BackoffOptions;
  log?: Log;
}

/** Counts the informer keeps, for metrics and for tests that check it recovered the right way. */
export interface InformerStats {
  lists: number;
  watches: number;
  gone: number;
  errors: number;
}

export class Informer<T extends KubernetesObject> implements EventSource<T> {
  readonly store = new Store<T>();
  readonly stats: InformerStats = { lists: 0, watches: 0, gone: 0, errors: 0 };
  readonly #lw: ListerWatcher<T>;
  readonly #handlers: InformerHandlers<T>[] = [];
  readonly #timeout: { min: number; max: number };
  readonly #resyncMs: number;
  readonly #transform: Transform<T>;
  readonly #backoff: Backoff;
  readonly #log: Log;
  readonly #abort = new AbortController();
  #synced = false;
  #syncWaiters: Array<() => void> = [];
  #running: Promise<void> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(lw: ListerWatcher<T>, options: InformerOptions<T> = {}) {
    this.#lw = lw;
    this.#timeout = options.watchTimeoutSeconds ?? { min: 300, max: 600 };
    this.#resyncMs = options.resyncMs ?? 0;
    this.#transform = options.transform ?? withoutManagedFields;
    this.#backoff = new Backoff(options.backoff);
    this.#log = options.log ?? silentLog;
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
  }

  /** True once the first list is in the store. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list is in the store (or the informer stops). */
  waitForSync(): Promise<void> {
    if (this.#synced || this.#abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#run();
    if (this.#resyncMs > 0) {
      this.#resyncTimer = setInterval(() => this.#resync(), this.#resyncMs);
      this.#resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#resyncTimer);
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.#list(signal);
        const seconds = this.#timeout.min + Math.random() * (this.#timeout.max - this.#timeout.min);
        this.stats.watches++;
        let rv: string = resourceVersion;
        await this.#lw.watch(
          { resourceVersion: rv, timeoutSeconds: Math.max(1, Math.floor(seconds)), signal },
          (e) => {
            rv = this.#apply(e);
            resourceVersion = rv;
          },
        );
        // The server ended the watch (its timeout): resume from where we are, no re-list needed.
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          // Our resourceVersion is older than the server keeps history for: start over from a list.
          this.stats.gone++;
          this.#log.info({ err: errorMessage(error) }, "watch history expired (410 Gone); re-listing");
          resourceVersion = undefined;
          continue;
        }
        this.stats.errors++;
        const delay = this.#backoff.next();
        this.#log.warn(
          { err: errorMessage(error), retryInMs: Math.round(delay) },
          "list/watch failed; retrying",
        );
        await sleep(delay, signal);
      }
    }
  }

  async #list(signal: AbortSignal): Promise<string> {
    const { items, resourceVersion } = await this.#lw.list(signal);
    this.stats.lists++;
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(keyOf(obj));
      this.#upsert(obj);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key);
      if (old) this.#emit((h) => h.delete?.(old));
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters.splice(0)) resolve();
    }
    return resourceVersion;
  }

  /** Applies one watch event; returns the resourceVersion to resume from. */
  #apply(event: WatchEvent<T>): string {
    const obj = event.object;
    if (event.type === "ERROR") {
      const status = obj as unknown as { code?: number; message?: string; reason?: string };
      throw new KubeApiError(status.code ?? 500, status.message ?? "watch error", status.reason);
    }
    const rv = obj.metadata?.resourceVersion ?? "";
    if (event.type === "BOOKMARK") return rv;
    if (event.type === "DELETED") {
      const old = this.store.remove(keyOf(obj));
      const last = this.#transform(obj);
      if (old) this.#emit((h) => h.delete?.(last));
    } else {
      this.#upsert(obj);
    }
    return rv;
  }

  #upsert(received: T): void {
    const obj = this.#transform(received);
    const old = this.store.upsert(obj);
    if (!old) this.#emit((h) => h.add?.(obj));
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      this.#emit((h) => h.update?.(old, obj));
  }

  #resync(): void {
    for (const obj of this.store.list()) this.#emit((h) => h.update?.(obj, obj));
  }

  #emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.#handlers) {
      try {
        call(h);
      } catch (error) {
        // A handler's bug must not stop the informer for every other object.
        this.#log.error({ err: errorMessage(error) }, "informer handler failed");
      }
    }
  }
}
