// ARM throttling in the emulator: token buckets per subscription for reads, writes (PUT,
// PATCH, POST actions) and deletes, refilled in simulated time. Every ARM answer carries
// `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`; an empty bucket answers
// 429 SubscriptionRequestsThrottled with Retry-After. Limits come from the topology and can
// be changed at run time through the admin API.
import {
  type ArmCallClass,
  type ArmLimits,
  armLimits,
  SubscriptionBuckets,
} from "../azure/pacing-buckets.ts";
import { checkedBody } from "./admin-body.ts";
import type { SimClock } from "./clock.ts";
import { ArmError, type CallClass, type Middleware } from "./http.ts";
import type { ProviderRoute } from "./provider.ts";
import { type ThrottlingConfig, ThrottlingSchema } from "./throttling-schema.ts";

const classOf: Record<CallClass, ArmCallClass> = {
  read: "reads",
  write: "writes",
  action: "writes",
  delete: "deletes",
};

export class Throttling {
  readonly #clock: SimClock;
  readonly #initial: ThrottlingConfig;
  #enabled = true;
  #limits: ArmLimits = armLimits;
  #buckets = new Map<string, SubscriptionBuckets>();

  constructor(clock: SimClock, config: ThrottlingConfig = {}) {
    this.#clock = clock;
    this.#initial = config;
    this.configure(config);
  }

  /** New limits (unset classes keep ARM's); buckets start full. */
  configure(config: ThrottlingConfig): void {
    this.#enabled = config.enabled ?? true;
    this.#limits = {
      reads: config.reads ?? armLimits.reads,
      writes: config.writes ?? armLimits.writes,
      deletes: config.deletes ?? armLimits.deletes,
    };
    this.#buckets.clear();
  }

  config(): Required<ThrottlingConfig> {
    return { enabled: this.#enabled, ...this.#limits };
  }

  /** Back to the topology's limits, buckets full (admin reset). */
  reset(): void {
    this.configure(this.#initial);
  }

  /** Takes a token; the remaining count, or the simulated ms to wait when the bucket is empty. */
  take(subscriptionId: string, callClass: CallClass): { remaining: number } | { waitMs: number } {
    const now = this.#clock.now();
    const key = subscriptionId.toLowerCase();
    let buckets = this.#buckets.get(key);
    if (!buckets) {
      buckets = new SubscriptionBuckets(this.#limits, now);
      this.#buckets.set(key, buckets);
    }
    const bucket = buckets.of(classOf[callClass]);
    if (!this.#enabled) return { remaining: bucket.remaining(now) };
    if (bucket.tryTake(now)) return { remaining: bucket.remaining(now) };
    return { waitMs: bucket.waitMs(now) };
  }
}

export function throttle(throttling: Throttling, clock: SimClock): Middleware {
  return {
    name: "throttle",
    async handle(req, next) {
      const subscriptionId = req.params.subscriptionId;
      const route = req.route;
      if (!route || subscriptionId === undefined) return next();
      const header = `x-ms-ratelimit-remaining-subscription-${classOf[route.callClass]}`;
      const taken = throttling.take(subscriptionId, route.callClass);
      if ("waitMs" in taken) {
        // Retry-After in whole real seconds as ARM sends it; the exact real milliseconds too,
        // which the SDKs prefer, so that a scaled clock is honoured precisely.
        const realMs = Math.max(1, Math.ceil(taken.waitMs * clock.timeScale));
        throw new ArmError(
          429,
          "SubscriptionRequestsThrottled",
          `Number of '${classOf[route.callClass].slice(0, -1)}' requests for subscription '${subscriptionId}' exceeded the limit. Please try again after '${Math.ceil(taken.waitMs / 1000)}' seconds.`,
          {
            "retry-after": String(Math.ceil(realMs / 1000)),
            "x-ms-retry-after-ms": String(realMs),
            [header]: "0",
          },
        );
      }
      const res = await next();
      res.headers = { ...res.headers, [header]: String(taken.remaining) };
      return res;
    },
  };
}

/** GET and PUT /admin/throttling: read or replace the limits (buckets start full). */
export function throttlingAdminRoutes(throttling: Throttling): ProviderRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/throttling",
      operation: "admin/throttling",
      handler: () => ({ status: 200, body: throttling.config() }),
    },
    {
      method: "PUT",
      path: "/admin/throttling",
      operation: "admin/throttling/write",
      handler: (req) => {
        throttling.configure(checkedBody(req, ThrottlingSchema));
        return { status: 200, body: throttling.config() };
      },
    },
  ];
}
