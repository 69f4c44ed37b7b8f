// Pacing: the gateways keep to ARM's per-subscription token buckets themselves, so that
// bulk work (thousands of log-offs, hundreds of deallocations) goes out as fast as ARM
// allows and meets no 429. One pacer per subscription (and endpoint) is shared by every
// SDK client that any gateway builds for it, as a pipeline policy run on every attempt.
// What ARM reports back (`x-ms-ratelimit-remaining-subscription-*`) only ever lowers the
// local count, so another client sharing the subscription is accounted for; a 429 that
// comes anyway closes that bucket until its Retry-After has passed, and the SDK's own
// throttling retry waits the same time: nothing is retried blindly.
import type { AdditionalPolicyConfig } from "@azure/core-client";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { AzureConnection } from "./connection.ts";
import { retryAfterMs } from "./errors.ts";
import {
  type ArmCallClass,
  type ArmLimits,
  armLimits,
  callClassOfMethod,
  SubscriptionBuckets,
  type TokenBucket,
} from "./pacing-buckets.ts";
import { sleep } from "./sleep.ts";

export class ArmPacer {
  readonly limits: ArmLimits;
  readonly #buckets: SubscriptionBuckets;
  readonly #now: () => number;
  /** Waiters per class, served in arrival order. */
  readonly #queues: Record<ArmCallClass, Promise<void>> = {
    reads: Promise.resolve(),
    writes: Promise.resolve(),
    deletes: Promise.resolve(),
  };
  /** Requests that took a token and have no answer yet, per class. */
  readonly #inFlight: Record<ArmCallClass, number> = { reads: 0, writes: 0, deletes: 0 };
  /** Requests that had to wait for a token, per class (for benchmarks and metrics). */
  readonly waited: Record<ArmCallClass, number> = { reads: 0, writes: 0, deletes: 0 };

  /**
   * Slightly below ARM's limits, because ARM's bucket counts arrivals and this one counts
   * departures. `headroom` is the share of the refill rate left unused: two requests may
   * arrive closer together than they left, and the slack builds the surplus that absorbs it.
   * The burst is held back by half a second of refill (at most a tenth of the bucket): the first
   * requests of a burst open connections and arrive late, so ARM's bucket starts refilling
   * later than this one.
   */
  constructor(limits: ArmLimits = armLimits, now: () => number = () => performance.now(), headroom = 0.02) {
    this.limits = limits;
    this.#now = now;
    const paced = (b: ArmLimits[ArmCallClass]) => ({
      capacity: Math.max(1, b.capacity - Math.min(b.capacity / 10, b.refillPerSecond / 2)),
      refillPerSecond: b.refillPerSecond * (1 - headroom),
    });
    this.#buckets = new SubscriptionBuckets(
      { reads: paced(limits.reads), writes: paced(limits.writes), deletes: paced(limits.deletes) },
      now(),
    );
  }

  /** Resolves when a token of the class has been taken; rejects if the signal aborts first. */
  acquire(callClass: ArmCallClass, abortSignal?: AbortSignal): Promise<void> {
    const bucket = this.#buckets.of(callClass);
    const turn = this.#queues[callClass].then(() => this.#take(bucket, callClass, abortSignal));
    // The next waiter goes after this one whether it got its token or was aborted.
    this.#queues[callClass] = turn.catch(() => undefined);
    return turn;
  }

  /**
   * What a response said: the remaining count, or a 429 and how long to keep off. The count
   * is ARM's before the requests still on their way arrive; they will take tokens too.
   */
  observe(
    callClass: ArmCallClass,
    status: number,
    remaining: number | undefined,
    retryAfterMs: number | undefined,
  ): void {
    const bucket = this.#buckets.of(callClass);
    const now = this.#now();
    const othersInFlight = this.#inFlight[callClass] - 1;
    if (status === 429) bucket.blockUntil(now + (retryAfterMs ?? 1000), now);
    else if (remaining !== undefined) bucket.observeRemaining(remaining - othersInFlight, now);
  }

  /** The request that took a token has its answer (or failed). */
  release(callClass: ArmCallClass): void {
    this.#inFlight[callClass]--;
  }

  async #take(bucket: TokenBucket, callClass: ArmCallClass, abortSignal?: AbortSignal): Promise<void> {
    let counted = false;
    for (;;) {
      abortSignal?.throwIfAborted();
      if (bucket.tryTake(this.#now())) {
        this.#inFlight[callClass]++;
        return;
      }
      if (!counted) this.waited[callClass]++;
      counted = true;
      // A bucket that never refills (limits of 0/s) is looked at again now and then.
      await sleep(Math.min(bucket.waitMs(this.#now()), 1000), abortSignal);
    }
  }
}

const pacers = new Map<string, ArmPacer>();

/** The pacer of a connection's subscription, shared by every gateway and client made for it. */
export function pacerFor(connection: AzureConnection): ArmPacer {
  const key = `${connection.endpoints.resourceManager}|${connection.subscriptionId}`.toLowerCase();
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = new ArmPacer(connection.pacing || armLimits);
    pacers.set(key, pacer);
  }
  return pacer;
}

function pacingPolicy(pacer: ArmPacer, resourceManager: string): PipelinePolicy {
  const armOrigin = new URL(resourceManager).origin;
  return {
    name: "avdDrArmPacing",
    async sendRequest(request, next) {
      if (new URL(request.url).origin !== armOrigin) return next(request);
      const callClass = callClassOfMethod(request.method);
      await pacer.acquire(callClass, request.abortSignal as AbortSignal | undefined);
      try {
        const response = await next(request);
        // A missing header reads as NaN.
        const remaining = Number(response.headers.get(`x-ms-ratelimit-remaining-subscription-${callClass}`));
        pacer.observe(
          callClass,
          response.status,
          Number.isFinite(remaining) ? remaining : undefined,
          retryAfterMs(response.headers),
        );
        return response;
      } finally {
        pacer.release(callClass);
      }
    },
  };
}

/** The pacing policy every SDK client of a connection gets: the subscription's shared pacer, none when pacing is off. */
export function pacingPolicies(connection: AzureConnection): AdditionalPolicyConfig[] {
  if (connection.pacing === false) return [];
  const policy = pacingPolicy(pacerFor(connection), connection.endpoints.resourceManager);
  return [{ policy, position: "perRetry" }];
}
