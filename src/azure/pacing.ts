// Pacing: the gateways keep to ARM's token buckets and to Compute's throttling policies
// themselves, so that bulk work (thousands of log-offs, hundreds of VM starts) goes out as fast
// as Azure allows and meets no 429. One pacer per endpoint, subscription and principal is shared
// by every SDK client that any gateway builds for it, as a pipeline policy run on every attempt.
// A request waits in each lane it belongs to: its Compute policy, if it has one, then its ARM
// call class. What answers report (`x-ms-ratelimit-remaining-subscription-*` and `…-global-*`,
// `x-ms-ratelimit-remaining-resource`) only ever lowers a lane's count, so other clients are
// accounted for; a 429 closes the lane it came from (ARM's class, or the Compute policy) until its
// Retry-After has passed, and the SDK's own throttling retry waits that same time: nothing is
// retried blindly.
import type { AdditionalPolicyConfig } from "@azure/core-client";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  type ComputePolicy,
  computeBucketName,
  computeLimits,
  computePolicies,
  computePolicyOf,
  parseRemainingResource,
} from "./compute-policies.ts";
import type { AzureConnection } from "./connection.ts";
import { retryAfterMs } from "./errors.ts";
import {
  type ArmCallClass,
  armLimits,
  type BucketLimits,
  callClassOfMethod,
  type PacingLimits,
  TokenBucket,
} from "./pacing-buckets.ts";
import { sleep } from "./sleep.ts";

/** Azure's own limits, as documented. */
export const azurePacing: PacingLimits = { arm: armLimits, compute: computeLimits };

/** Where the pacer's time comes from, and how it waits (injected in tests). */
export interface PacerClock {
  now(): number;
  sleep(ms: number, abortSignal?: AbortSignal): Promise<void>;
}

const realClock: PacerClock = { now: () => performance.now(), sleep };

interface HeaderReader {
  get(name: string): string | undefined;
}

/** A request that has left: tell the pacer its answer, then that it is no longer on its way. */
export interface PacedRequest {
  answered(status: number, headers: HeaderReader): void;
  done(): void;
}

/**
 * One kind of token: a local bucket slightly below the service's, its waiters in arrival order,
 * and its requests on their way. Slightly below because the service counts arrivals and this
 * bucket departures: it refills `headroom` slower (two requests may arrive closer together than
 * they left; the slack builds the surplus that absorbs it) and holds back half a second of refill
 * (at most a tenth of the bucket) from the burst, because the first requests of a burst open
 * connections and arrive late, so the service's bucket starts refilling later than this one.
 */
class Lane {
  readonly bucket: TokenBucket;
  inFlight = 0;
  waited = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(limits: BucketLimits, now: number, headroom: number) {
    this.bucket = new TokenBucket(
      {
        capacity: Math.max(1, limits.capacity - Math.min(limits.capacity / 10, limits.refillPerSecond / 2)),
        refillPerSecond: limits.refillPerSecond * (1 - headroom),
      },
      now,
    );
  }

  /** Resolves when a token has been taken; rejects if the signal aborts first. */
  acquire(clock: PacerClock, abortSignal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#take(clock, abortSignal));
    // The next waiter goes after this one whether it got its token or was aborted.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** The service's count, less the other requests of this lane still on their way: they will take tokens too. */
  observeRemaining(remaining: number, now: number): void {
    this.bucket.observeRemaining(remaining - (this.inFlight - 1), now);
  }

  /** A 429: nothing leaves before its Retry-After has passed. */
  close(retryAfterMs: number | undefined, now: number): void {
    this.bucket.blockUntil(now + (retryAfterMs ?? 1000), now);
  }

  async #take(clock: PacerClock, abortSignal?: AbortSignal): Promise<void> {
    let counted = false;
    for (;;) {
      abortSignal?.throwIfAborted();
      if (this.bucket.tryTake(clock.now())) {
        this.inFlight++;
        return;
      }
      if (!counted) this.waited++;
      counted = true;
      // A bucket that never refills (limits of 0/s) is looked at again now and then.
      await clock.sleep(Math.min(this.bucket.waitMs(clock.now()), 1000), abortSignal);
    }
  }
}

export class ArmPacer {
  readonly limits: PacingLimits;
  readonly #clock: PacerClock;
  readonly #arm = new Map<ArmCallClass, Lane>();
  readonly #compute = new Map<ComputePolicy, Lane>();

  constructor(limits: PacingLimits = azurePacing, clock: PacerClock = realClock, headroom = 0.02) {
    this.limits = limits;
    this.#clock = clock;
    const now = clock.now();
    const { arm, compute } = limits;
    if (arm)
      for (const c of ["reads", "writes", "deletes"] as const)
        this.#arm.set(c, new Lane(arm[c], now, headroom));
    if (compute)
      for (const p of computePolicies) this.#compute.set(p, new Lane(compute[p].subscription, now, headroom));
  }

  /** Requests that had to wait for a token, per ARM call class and Compute policy (for benchmarks and metrics). */
  get waited(): Record<ArmCallClass | ComputePolicy, number> {
    const of = (lane: Lane | undefined) => lane?.waited ?? 0;
    const waited = {
      reads: of(this.#arm.get("reads")),
      writes: of(this.#arm.get("writes")),
      deletes: of(this.#arm.get("deletes")),
    } as Record<ArmCallClass | ComputePolicy, number>;
    for (const p of computePolicies) waited[p] = of(this.#compute.get(p));
    return waited;
  }

  /** Waits until a request may leave: a token of its Compute policy (if any), then of its ARM class. */
  async admit(method: string, path: string, abortSignal?: AbortSignal): Promise<PacedRequest> {
    const armClass = callClassOfMethod(method);
    const policy = computePolicyOf(method, path)?.policy;
    const arm = this.#arm.get(armClass);
    const compute = policy && this.#compute.get(policy);
    const taken: Lane[] = [];
    try {
      for (const lane of [compute, arm]) {
        if (!lane) continue;
        await lane.acquire(this.#clock, abortSignal);
        taken.push(lane);
      }
    } catch (error) {
      for (const lane of taken) lane.inFlight--;
      throw error;
    }
    return {
      answered: (status, headers) => {
        const now = this.#clock.now();
        if (arm) observeArm(arm, armClass, status, headers, now);
        if (compute && policy) observeCompute(compute, policy, status, headers, now);
      },
      done: () => {
        for (const lane of taken) lane.inFlight--;
      },
    };
  }
}

const resourceHeader = "x-ms-ratelimit-remaining-resource";

/**
 * ARM's counts for the principal and the subscription (global): the lower one bounds the lane.
 * A 429 without Compute's header is ARM's own; a resource provider's 429 carries its header.
 */
function observeArm(
  lane: Lane,
  armClass: ArmCallClass,
  status: number,
  headers: HeaderReader,
  now: number,
): void {
  if (status === 429 && headers.get(resourceHeader) === undefined) {
    lane.close(retryAfterMs(headers), now);
    return;
  }
  const counts = [
    headers.get(`x-ms-ratelimit-remaining-subscription-${armClass}`),
    headers.get(`x-ms-ratelimit-remaining-subscription-global-${armClass}`),
  ]
    .filter((v) => v !== undefined && v !== "")
    .map(Number)
    .filter(Number.isFinite);
  if (counts.length > 0) lane.observeRemaining(Math.min(...counts), now);
}

/**
 * Compute's count for the policy's subscription bucket. Its 429 closes the policy unless only the
 * VM's own bucket ran out (that VM's retry waits; the other VMs need not).
 */
function observeCompute(
  lane: Lane,
  policy: ComputePolicy,
  status: number,
  headers: HeaderReader,
  now: number,
): void {
  const header = headers.get(resourceHeader);
  if (header === undefined) return;
  const remaining = parseRemainingResource(header);
  const subscription = remaining.get(computeBucketName(policy, "subscription"));
  if (status === 429) {
    const vmOnly = remaining.get(computeBucketName(policy, "resource")) === 0 && (subscription ?? 0) > 0;
    if (!vmOnly) lane.close(retryAfterMs(headers), now);
  } else if (subscription !== undefined) {
    lane.observeRemaining(subscription, now);
  }
}

const pacers = new Map<string, ArmPacer>();

/** The pacer of a connection's principal in its subscription, shared by every gateway and client made for it. */
export function pacerFor(connection: AzureConnection): ArmPacer {
  const principal = connection.credential.clientId ?? "";
  const key =
    `${connection.endpoints.resourceManager}|${connection.subscriptionId}|${principal}`.toLowerCase();
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = new ArmPacer(connection.pacing || azurePacing);
    pacers.set(key, pacer);
  }
  return pacer;
}

function pacingPolicy(pacer: ArmPacer, resourceManager: string): PipelinePolicy {
  const armOrigin = new URL(resourceManager).origin;
  return {
    name: "avdDrArmPacing",
    async sendRequest(request, next) {
      const url = new URL(request.url);
      if (url.origin !== armOrigin) return next(request);
      const paced = await pacer.admit(
        request.method,
        url.pathname,
        request.abortSignal as AbortSignal | undefined,
      );
      try {
        const response = await next(request);
        paced.answered(response.status, response.headers);
        return response;
      } finally {
        paced.done();
      }
    },
  };
}

/** The pacing policy every SDK client of a connection gets: the shared pacer, none when nothing is paced. */
export function pacingPolicies(connection: AzureConnection): AdditionalPolicyConfig[] {
  const pacing = connection.pacing;
  if (pacing === false || (pacing && !pacing.arm && !pacing.compute)) return [];
  const policy = pacingPolicy(pacerFor(connection), connection.endpoints.resourceManager);
  return [{ policy, position: "perRetry" }];
}
