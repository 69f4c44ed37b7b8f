// The controller runner: informers feed keys into a work queue, a bounded number of workers
// take keys and call the reconciler. The reconciler only says "done", "again after X", or
// throws; everything about retrying lives here (controller-runtime's split).
import type { KubernetesObject } from "@kubernetes/client-node";
import { TerminalError } from "./errors.ts";
import type { EventSource } from "./informer-group.ts";
import { errorMessage, type Log, silentLog } from "./logger.ts";
import type { OperatorMetrics, ReconcileResult } from "./metrics.ts";
import { keyOf } from "./store.ts";
import { WorkQueue } from "./workqueue.ts";

export interface ReconcileOutcome {
  /** Reconcile this key again after this long, even if nothing changes (Azure state is polled). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  /** Brings the object named by `key` ("namespace/name") closer to its spec. Throw to retry with backoff. */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | undefined>;
}

export interface WatchOptions<T> {
  /**
   * Which updates matter, as controller-runtime's predicates say it: without it every update
   * queues; with it, only those it returns true for (resyncs always do).
   */
  changed?: (old: T, obj: T) => boolean;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  maxConcurrentReconciles?: number;
  log?: Log;
  metrics?: OperatorMetrics;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #log: Log;
  readonly #metrics: OperatorMetrics | undefined;
  readonly #abort = new AbortController();
  readonly #sources: Array<{ waitForSync(): Promise<void> }> = [];
  #running: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconciler = options.reconciler;
    this.#workers = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(this.#workers) || this.#workers < 1) {
      throw new RangeError(`maxConcurrentReconciles must be a positive integer, got ${this.#workers}`);
    }
    this.#log = (options.log ?? silentLog).child({ controller: this.name });
    this.#metrics = options.metrics;
    this.queue = new WorkQueue<string>({ observer: options.metrics?.queueObserver(this.name) });
  }

  /**
   * Queues keys when objects of this source (an informer) change. `toKeys` maps an object to the keys of
   * the objects to reconcile (itself by default; the owning plan for a FailoverRequest, say).
   * An update maps the old object too, as controller-runtime does: what it no longer refers to
   * (a host pool a plan gave up) must be reconciled as well.
   */
  watch<T extends KubernetesObject>(
    source: EventSource<T>,
    toKeys: (obj: T) => string[] = (o) => [keyOf(o)],
    options: WatchOptions<T> = {},
  ): void {
    this.#sources.push(source);
    const enqueue = (obj: T) => {
      for (const key of toKeys(obj)) this.queue.add(key);
    };
    source.addHandlers({
      add: enqueue,
      update: (old, obj) => {
        // A resync (same resourceVersion) always passes; a write that changed nothing the
        // controller cares about (its own status write, say) does not.
        const resync = old.metadata?.resourceVersion === obj.metadata?.resourceVersion;
        if (!resync && options.changed && !options.changed(old, obj)) return;
        enqueue(old);
        enqueue(obj);
      },
      delete: enqueue,
    });
  }

  /** Waits for every watched informer's first list, then starts the workers. */
  async start(): Promise<void> {
    await Promise.all(this.#sources.map((s) => s.waitForSync()));
    if (this.#abort.signal.aborted) return;
    this.#log.info({ workers: this.#workers }, "starting workers");
    this.#running = Array.from({ length: this.#workers }, () => this.#work());
  }

  /**
   * Takes no new keys and lets running reconciles finish (they record their progress in status)
   * for up to `graceMs`; then aborts them. graceMs 0 stops at once (a lost lease).
   */
  async stop(graceMs = 0): Promise<void> {
    const drained = this.queue.shutDown();
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.#abort.abort();
    await Promise.all(this.#running);
  }

  async #work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.#reconcileOne(key);
      this.queue.done(key);
    }
  }

  async #reconcileOne(key: string): Promise<void> {
    const started = performance.now();
    const signal = this.#abort.signal;
    try {
      const outcome = await this.#reconciler.reconcile(key, signal);
      this.queue.forget(key);
      if (outcome?.requeueAfterMs !== undefined && !signal.aborted) {
        this.queue.addAfter(key, outcome.requeueAfterMs);
        this.#count("requeue_after");
      } else {
        this.#count("success");
      }
    } catch (error) {
      if (signal.aborted) return;
      this.#metrics?.reconcileErrors.inc({ controller: this.name });
      if (error instanceof TerminalError) {
        // Retrying cannot help; the next change to the object queues it again.
        this.queue.forget(key);
        this.#count("terminal");
        this.#log.error({ key, err: error.message }, "reconcile failed for good; waiting for a change");
      } else {
        this.queue.addRateLimited(key);
        this.#count("error");
        this.#log.warn(
          { key, err: errorMessage(error), retries: this.queue.retries(key) },
          "reconcile failed; retrying",
        );
      }
    } finally {
      this.#metrics?.reconcileTime.observe({ controller: this.name }, (performance.now() - started) / 1000);
    }
  }

  #count(result: ReconcileResult): void {
    this.#metrics?.reconcileTotal.inc({ controller: this.name, result });
  }
}
