// ARM's request limits as token buckets, one per call class, subscription and principal. The same
// model serves the emulator (which throttles with it, in simulated time) and the gateways
// (which pace themselves with it, in real time), so both sides agree on what a burst costs.
// No SDK here: plain numbers and times in milliseconds from whichever clock the caller uses.
import type { ComputeLimits } from "./compute-policies.ts";

export type ArmCallClass = "reads" | "writes" | "deletes";

export interface BucketLimits {
  /** Tokens a full bucket holds: the burst a subscription may send at once. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

export type ArmLimits = Record<ArmCallClass, BucketLimits>;

/**
 * ARM's buckets since 2024, per subscription and principal (reads 250 refilling 25/s; writes and
 * deletes 200, 10/s).
 */
export const armLimits: ArmLimits = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
};

/** ARM's global buckets of a subscription, shared by all principals: 15 times a principal's. */
export function globalLimits(limits: ArmLimits): ArmLimits {
  return mapBuckets(limits, (b) => ({ capacity: b.capacity * 15, refillPerSecond: b.refillPerSecond * 15 }));
}

/** A bucket on a clock that runs `timeScale` times real time (the emulator's): refills per real second. */
export function scaledBucket(limits: BucketLimits, timeScale: number): BucketLimits {
  return { capacity: limits.capacity, refillPerSecond: limits.refillPerSecond / timeScale };
}

export function scaledLimits(timeScale: number, limits: ArmLimits = armLimits): ArmLimits {
  return mapBuckets(limits, (b) => scaledBucket(b, timeScale));
}

function mapBuckets(limits: ArmLimits, map: (b: BucketLimits) => BucketLimits): ArmLimits {
  return { reads: map(limits.reads), writes: map(limits.writes), deletes: map(limits.deletes) };
}

/**
 * What the gateways pace themselves by: ARM's buckets of one principal in the subscription and
 * Compute's policies; false for a part that does not throttle (only the emulator can say so).
 */
export interface PacingLimits {
  arm: ArmLimits | false;
  compute: ComputeLimits | false;
}

/** GET and HEAD are reads, DELETE deletes; PUT, PATCH and POST (actions) are writes. */
export function callClassOfMethod(method: string): ArmCallClass {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return "reads";
  if (m === "DELETE") return "deletes";
  return "writes";
}

export class TokenBucket {
  readonly limits: BucketLimits;
  #tokens: number;
  #at: number;
  /** No token is handed out before this instant (a Retry-After the service asked for). */
  #blockedUntil = 0;

  constructor(limits: BucketLimits, now: number) {
    this.limits = limits;
    this.#tokens = limits.capacity;
    this.#at = now;
  }

  /** Takes a token if one is there. */
  tryTake(now: number): boolean {
    this.#refill(now);
    if (now < this.#blockedUntil || this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whole tokens left. */
  remaining(now: number): number {
    this.#refill(now);
    return Math.floor(this.#tokens);
  }

  /** Milliseconds until a token can be taken (0 when one is there now). */
  waitMs(now: number): number {
    this.#refill(now);
    const blocked = Math.max(0, this.#blockedUntil - now);
    if (this.#tokens >= 1) return blocked;
    if (this.limits.refillPerSecond <= 0) return Number.POSITIVE_INFINITY;
    return Math.max(blocked, Math.ceil(((1 - this.#tokens) * 1000) / this.limits.refillPerSecond));
  }

  /**
   * What the service says is left (another client shares the subscription, or its bucket
   * started refilling later than this one): never more than that, once it is short by a
   * whole token (a fraction is only timing).
   */
  observeRemaining(remaining: number, now: number): void {
    this.#refill(now);
    if (remaining < this.#tokens - 1) this.#tokens = Math.max(0, remaining);
  }

  /** The service refused (429): nothing goes out before `untilMs`, and the bucket starts empty then. */
  blockUntil(untilMs: number, now: number): void {
    this.#refill(now);
    this.#tokens = 0;
    this.#at = Math.max(now, untilMs);
    this.#blockedUntil = Math.max(this.#blockedUntil, untilMs);
  }

  #refill(now: number): void {
    if (now <= this.#at) return;
    this.#tokens = Math.min(
      this.limits.capacity,
      this.#tokens + ((now - this.#at) / 1000) * this.limits.refillPerSecond,
    );
    this.#at = now;
  }
}

/** One bucket per call class, as ARM keeps them per subscription and principal (and globally). */
export class ArmBuckets {
  readonly #buckets: Record<ArmCallClass, TokenBucket>;

  constructor(limits: ArmLimits, now: number) {
    this.#buckets = {
      reads: new TokenBucket(limits.reads, now),
      writes: new TokenBucket(limits.writes, now),
      deletes: new TokenBucket(limits.deletes, now),
    };
  }

  of(callClass: ArmCallClass): TokenBucket {
    return this.#buckets[callClass];
  }
}
