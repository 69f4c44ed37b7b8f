// A work queue with client-go's semantics. Three sets do the work:
// - queue: keys waiting for a worker, in order, each at most once;
// - dirty: keys that need processing (queued, or re-added while being processed), with when
//   each was added, for the queue latency metric;
// - processing: keys a worker holds right now.
// A key re-added while a worker holds it is not handed to a second worker; it goes back in
// the queue when the first worker calls done(), so one key is never processed twice at once.
import { ExponentialRateLimiter, type RateLimiter } from "./rate-limiter.ts";

/** Observes the queue for metrics; every method is optional so tests can pass {}. */
export interface QueueObserver {
  depth?(depth: number): void;
  added?(): void;
  /** Time a key waited in the queue before a worker took it. */
  latency?(ms: number): void;
  retried?(): void;
}

export interface WorkQueueOptions<K> {
  rateLimiter?: RateLimiter<K>;
  observer?: QueueObserver;
}

export class WorkQueue<K = string> {
  readonly #queue: K[] = [];
  readonly #dirty = new Map<K, number>();
  readonly #processing = new Set<K>();
  readonly #waiting = new Map<K, { readyAt: number; timer: NodeJS.Timeout }>();
  readonly #getters: Array<(key: K | undefined) => void> = [];
  readonly #drained: Array<() => void> = [];
  readonly #limiter: RateLimiter<K>;
  readonly #observer: QueueObserver;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.#limiter = options.rateLimiter ?? new ExponentialRateLimiter<K>();
    this.#observer = options.observer ?? {};
  }

  /** Marks the key as needing processing. A no-op if it is already queued. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#observer.added?.();
    this.#dirty.set(key, performance.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds the key after a delay. A later call with an earlier deadline wins; a later deadline is ignored. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = performance.now() + delayMs;
    const pending = this.#waiting.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#waiting.set(key, { readyAt, timer });
  }

  /** Adds the key after its per-item backoff, counting one more failure. */
  addRateLimited(key: K): void {
    this.#observer.retried?.();
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Forgets the key's failures: its next addRateLimited starts from the base delay again. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  retries(key: K): number {
    return this.#limiter.retries(key);
  }

  /** Waits for a key; resolves undefined once the queue shuts down (and, when draining, is empty). */
  get(): Promise<K | undefined> {
    const key = this.#take();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Tells the queue a worker has finished with the key; a key re-added meanwhile is queued again. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
    else if (this.#processing.size === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  /** Keys waiting for a worker (not counting those being processed or waiting on a delay). */
  get length(): number {
    return this.#queue.length;
  }

  get processing(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Takes no new keys; workers waiting in get() receive undefined. Keys already queued are dropped,
   * keys being processed run to their end: the returned promise resolves when every worker is done.
   */
  shutDown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
    this.#queue.length = 0;
    this.#dirty.clear();
    this.#observer.depth?.(0);
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #push(key: K): void {
    const getter = this.#getters.shift();
    if (getter) {
      this.#hand(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
    this.#observer.depth?.(this.#queue.length);
  }

  #take(): K | undefined {
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#observer.depth?.(this.#queue.length);
    this.#hand(key);
    return key;
  }

  #hand(key: K): void {
    this.#processing.add(key);
    const addedAt = this.#dirty.get(key);
    this.#dirty.delete(key);
    if (addedAt !== undefined) this.#observer.latency?.(performance.now() - addedAt);
  }
}
