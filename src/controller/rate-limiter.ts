// Per-item exponential backoff, client-go's ItemExponentialFailureRateLimiter:
// the n-th consecutive failure of a key waits base × 2^(n-1), capped; success forgets the key.

export interface RateLimiter<K> {
  /** How long the key should wait before its next attempt; counts one more failure. */
  when(key: K): number;
  /** Forgets the key's failures (after a success). */
  forget(key: K): void;
  /** Consecutive failures recorded for the key. */
  retries(key: K): number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

export class ExponentialRateLimiter<K> implements RateLimiter<K> {
  readonly #failures = new Map<K, number>();
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(baseMs = DEFAULT_BASE_DELAY_MS, maxMs = DEFAULT_MAX_DELAY_MS) {
    if (!(baseMs > 0) || !(maxMs >= baseMs)) {
      throw new RangeError(`rate limiter needs 0 < base (${baseMs}) <= max (${maxMs})`);
    }
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap is reached, so min() is enough.
    return Math.min(this.#baseMs * 2 ** failures, this.#maxMs);
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}
