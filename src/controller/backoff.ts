// Reconnection backoff, as client-go's reflector does it: 800 ms doubling to 30 s, with jitter,
// starting over once the connection has stayed healthy for 2 minutes.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  resetAfterMs?: number;
  /** Up to this fraction of the delay is added at random, so many clients do not retry in step. */
  jitter?: number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #resetAfterMs: number;
  readonly #jitter: number;
  #failures = 0;
  #lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 800;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#resetAfterMs = options.resetAfterMs ?? 120_000;
    this.#jitter = options.jitter ?? 0.2;
  }

  /** The delay before the next attempt after a failure now. */
  next(now = performance.now()): number {
    if (now - this.#lastFailureAt > this.#resetAfterMs) this.#failures = 0;
    this.#lastFailureAt = now;
    const base = Math.min(this.#initialMs * 2 ** this.#failures, this.#maxMs);
    this.#failures++;
    return base * (1 + Math.random() * this.#jitter);
  }
}

/** Sleeps, waking early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
