// ARM throttling in the emulator: token buckets for reads, writes (PUT, PATCH, POST actions) and
// deletes per subscription and principal (the token's oid), and the subscription's global
// buckets shared by every principal, refilled in simulated time. Every ARM answer carries
// `x-ms-ratelimit-remaining-subscription-{class}` and `…-subscription-global-{class}`; a request
// that finds either bucket empty answers 429 SubscriptionRequestsThrottled with Retry-After.
// Limits come from the topology and can be changed at run time through the admin API.
import {
  ArmBuckets,
  type ArmCallClass,
  type ArmLimits,
  armLimits,
  globalLimits,
} from "../azure/pacing-buckets.ts";
import { configAdminRoutes } from "./admin-body.ts";
import type { SimClock } from "./clock.ts";
import { ArmError, type CallClass, type Middleware } from "./http.ts";
import type { ProviderRoute } from "./provider.ts";
import { type ThrottlingConfig, ThrottlingSchema } from "./throttling-schema.ts";
import { TopologyLimits } from "./topology-limits.ts";

const classOf: Record<CallClass, ArmCallClass> = {
  read: "reads",
  write: "writes",
  action: "writes",
  delete: "deletes",
};

/** What a bucket that never refills (a refill rate of 0) asks a client to wait: an hour. */
const neverMs = 3_600_000;

export interface ArmThrottlingLimits extends ArmLimits {
  enabled: boolean;
  global: ArmLimits;
}

/** The remaining counts of the principal's and the global bucket, and the simulated ms to wait when one is empty. */
export interface Taken {
  remaining: number;
  globalRemaining: number;
  waitMs?: number;
}

export class Throttling extends TopologyLimits<ThrottlingConfig> {
  readonly #clock: SimClock;
  #limits: ArmThrottlingLimits = { enabled: true, ...armLimits, global: globalLimits(armLimits) };
  /** Per subscription and principal, and per subscription ("" as principal) for the global buckets. */
  #buckets = new Map<string, ArmBuckets>();

  constructor(clock: SimClock, config: ThrottlingConfig = {}) {
    super(config);
    this.#clock = clock;
    this.configure(config);
  }

  /** New limits (unset classes keep ARM's, unset global ones are 15 times the principal's); buckets start full. */
  override configure(config: ThrottlingConfig): void {
    const principal: ArmLimits = {
      reads: config.reads ?? armLimits.reads,
      writes: config.writes ?? armLimits.writes,
      deletes: config.deletes ?? armLimits.deletes,
    };
    const times15 = globalLimits(principal);
    this.#limits = {
      enabled: config.enabled ?? true,
      ...principal,
      global: {
        reads: config.global?.reads ?? times15.reads,
        writes: config.global?.writes ?? times15.writes,
        deletes: config.global?.deletes ?? times15.deletes,
      },
    };
    this.#buckets.clear();
  }

  override config(): ArmThrottlingLimits {
    return this.#limits;
  }

  /** Takes a token from the principal's and the global bucket, or from neither when one is empty. */
  take(subscriptionId: string, principal: string, callClass: CallClass): Taken {
    const now = this.#clock.now();
    const armClass = classOf[callClass];
    const own = this.#bucketsOf(subscriptionId, principal).of(armClass);
    const global = this.#bucketsOf(subscriptionId, "").of(armClass);
    const counts = () => ({ remaining: own.remaining(now), globalRemaining: global.remaining(now) });
    if (!this.#limits.enabled) return counts();
    if (own.remaining(now) >= 1 && global.remaining(now) >= 1) {
      own.tryTake(now);
      global.tryTake(now);
      return counts();
    }
    return { ...counts(), waitMs: Math.min(neverMs, Math.max(own.waitMs(now), global.waitMs(now))) };
  }

  #bucketsOf(subscriptionId: string, principal: string): ArmBuckets {
    const key = `${subscriptionId}|${principal}`.toLowerCase();
    let buckets = this.#buckets.get(key);
    if (!buckets) {
      const limits = principal === "" ? this.#limits.global : this.#limits;
      buckets = new ArmBuckets(limits, this.#clock.now());
      this.#buckets.set(key, buckets);
    }
    return buckets;
  }
}

export function throttle(throttling: Throttling, clock: SimClock): Middleware {
  return {
    name: "throttle",
    async handle(req, next) {
      const subscriptionId = req.params.subscriptionId;
      const route = req.route;
      if (!route || subscriptionId === undefined) return next();
      const armClass = classOf[route.callClass];
      const principal = req.principal ?? "";
      const taken = throttling.take(subscriptionId, principal, route.callClass);
      const headers = {
        [`x-ms-ratelimit-remaining-subscription-${armClass}`]: String(taken.remaining),
        [`x-ms-ratelimit-remaining-subscription-global-${armClass}`]: String(taken.globalRemaining),
      };
      if (taken.waitMs !== undefined) {
        // ARM's message says its wait in (simulated) seconds; Retry-After is what the client
        // sleeps, in whole real seconds and at least one, as ARM sends it.
        const retryAfter = Math.max(1, Math.ceil((taken.waitMs * clock.timeScale) / 1000));
        throw new ArmError(
          429,
          "SubscriptionRequestsThrottled",
          `Number of '${armClass.slice(0, -1)}' requests for subscription '${subscriptionId}' actor '${principal}' exceeded. Please try again after '${Math.ceil(taken.waitMs / 1000)}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
          { "retry-after": String(retryAfter), ...headers },
        );
      }
      const res = await next();
      res.headers = { ...res.headers, ...headers };
      return res;
    },
  };
}

/** GET and PUT /admin/throttling: read or replace the limits (buckets start full). */
export function throttlingAdminRoutes(throttling: Throttling): ProviderRoute[] {
  return configAdminRoutes("throttling", ThrottlingSchema, throttling);
}
