// Compute's own throttling in the emulator, behind ARM's: each request to a VM or a VM list falls
// under a policy (src/azure/compute-policies.ts) whose token buckets, one per subscription and
// region and one per VM, refill in simulated time. Every answer to such a request carries
// `x-ms-ratelimit-remaining-resource`; a request that finds a bucket empty answers 429
// OperationNotAllowed with a TooManyRequests detail naming the bucket, and Retry-After. Limits
// come from the topology and can be changed at run time through the admin API.
import {
  type ComputeLimits,
  type ComputePolicy,
  computeBucketName,
  computeLimits,
  computePolicies,
  computePolicyOf,
  formatRemainingResource,
} from "../azure/compute-policies.ts";
import { type BucketLimits, TokenBucket } from "../azure/pacing-buckets.ts";
import { configAdminRoutes } from "./admin-body.ts";
import type { SimClock } from "./clock.ts";
import {
  type ComputeThrottlingConfig,
  ComputeThrottlingSchema,
  type PerMinuteBucket,
} from "./compute-throttling-schema.ts";
import type { Middleware, SimRequest, SimResponse } from "./http.ts";
import { iso, type ProviderRoute, type SimContext } from "./provider.ts";
import { TopologyLimits } from "./topology-limits.ts";

/** What a bucket that never refills (a refill rate of 0) asks a client to wait: an hour. */
const neverMs = 3_600_000;

interface Refusal {
  /** The empty bucket's name, e.g. UpdateVMSubscriptionMaximum. */
  bucket: string;
  capacity: number;
  /** Simulated ms until it has a token. */
  waitMs: number;
}

export class ComputeThrottling extends TopologyLimits<ComputeThrottlingConfig> {
  readonly #clock: SimClock;
  #enabled = true;
  #limits: ComputeLimits = computeLimits;
  /** Per policy and subscription and region, or per policy and VM. */
  #buckets = new Map<string, TokenBucket>();

  constructor(clock: SimClock, config: ComputeThrottlingConfig = {}) {
    super(config);
    this.#clock = clock;
    this.configure(config);
  }

  /** New limits (unset buckets keep Azure's); buckets start full. */
  override configure(config: ComputeThrottlingConfig): void {
    this.#enabled = config.enabled ?? true;
    const limits = {} as ComputeLimits;
    for (const policy of computePolicies) {
      const given: { subscription?: PerMinuteBucket; resource?: PerMinuteBucket } = config[policy] ?? {};
      const azure = computeLimits[policy];
      const resource = given.resource ? perSecond(given.resource) : azure.resource;
      limits[policy] = {
        subscription: given.subscription ? perSecond(given.subscription) : azure.subscription,
        ...(resource ? { resource } : {}),
      };
    }
    this.#limits = limits;
    this.#buckets.clear();
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The buckets, refills per simulated second. */
  get limits(): ComputeLimits {
    return this.#limits;
  }

  /** The limits as the topology and the admin API write them (refills per minute). */
  override config(): ComputeThrottlingConfig {
    const config: ComputeThrottlingConfig = { enabled: this.#enabled };
    for (const policy of computePolicies) {
      const { subscription, resource } = this.#limits[policy];
      config[policy] = {
        subscription: perMinute(subscription),
        ...(resource ? { resource: perMinute(resource) } : {}),
      };
    }
    return config;
  }

  /**
   * Takes a token from each bucket of the policy (the region's and the VM's), or from none when one
   * is empty; the remaining count of each bucket by name, and the refusal if there was one.
   */
  take(
    policy: ComputePolicy,
    region: string,
    vm: string | undefined,
  ): { remaining: Map<string, number>; refusal?: Refusal } {
    const now = this.#clock.now();
    const { subscription, resource } = this.#limits[policy];
    const buckets: [string, TokenBucket][] = [
      [computeBucketName(policy, "subscription"), this.#bucket(`${policy}|${region}`, subscription)],
    ];
    if (vm && resource)
      buckets.push([computeBucketName(policy, "resource"), this.#bucket(`${policy}|${vm}`, resource)]);
    const empty = buckets.filter(([, b]) => b.remaining(now) < 1);
    if (!this.#enabled || empty.length === 0) {
      if (this.#enabled) for (const [, b] of buckets) b.tryTake(now);
      return { remaining: new Map(buckets.map(([name, b]) => [name, b.remaining(now)])) };
    }
    const [bucket, longest] = empty.reduce((a, b) => (b[1].waitMs(now) > a[1].waitMs(now) ? b : a));
    return {
      remaining: new Map(buckets.map(([name, b]) => [name, b.remaining(now)])),
      refusal: { bucket, capacity: longest.limits.capacity, waitMs: Math.min(neverMs, longest.waitMs(now)) },
    };
  }

  #bucket(key: string, limits: BucketLimits): TokenBucket {
    let bucket = this.#buckets.get(key.toLowerCase());
    if (!bucket) {
      bucket = new TokenBucket(limits, this.#clock.now());
      this.#buckets.set(key.toLowerCase(), bucket);
    }
    return bucket;
  }
}

const perSecond = (b: PerMinuteBucket): BucketLimits => ({
  capacity: b.capacity,
  refillPerSecond: b.refillPerMinute / 60,
});
// Rounded to a millionth: 500 a minute is 8.333… a second, and back 500.00000000000006.
const perMinute = (b: BucketLimits): PerMinuteBucket => ({
  capacity: b.capacity,
  refillPerMinute: Math.round(b.refillPerSecond * 60e6) / 1e6,
});

/**
 * The region whose subscription buckets a request counts against: its VM's, or its resource
 * group's for a list; a subscription-wide list counts against one bucket of its own.
 */
function regionOf(req: SimRequest, ctx: SimContext): string {
  const { resourceGroupName: rg, vmName } = req.params;
  if (rg && vmName) return ctx.world.virtualMachine(rg, vmName)?.location ?? "";
  return rg ? (ctx.world.resourceGroup(rg)?.location ?? "") : "";
}

export function computeThrottle(throttling: ComputeThrottling, ctx: SimContext): Middleware {
  return {
    name: "compute-throttle",
    async handle(req, next) {
      const subscriptionId = req.params.subscriptionId;
      const hit = req.route && subscriptionId ? computePolicyOf(req.method, req.url.pathname) : undefined;
      if (!hit) return next();
      const region = `${subscriptionId}|${regionOf(req, ctx)}`;
      const { remaining, refusal } = throttling.take(hit.policy, region, hit.vm);
      const header = { "x-ms-ratelimit-remaining-resource": formatRemainingResource(remaining) };
      if (refusal) return refused(refusal, header, ctx.clock);
      const res = await next();
      res.headers = { ...res.headers, ...header };
      return res;
    },
  };
}

/** Compute's throttling error: its own code and a detail naming the bucket, Retry-After in whole real seconds. */
function refused(refusal: Refusal, headers: Record<string, string>, clock: SimClock): SimResponse {
  const now = clock.now();
  const window = {
    operationGroup: refusal.bucket,
    startTime: iso(now),
    endTime: iso(now + refusal.waitMs),
    allowedRequestCount: refusal.capacity,
    measuredRequestCount: refusal.capacity + 1,
  };
  return {
    status: 429,
    headers: {
      ...headers,
      "retry-after": String(Math.max(1, Math.ceil((refusal.waitMs * clock.timeScale) / 1000))),
    },
    body: {
      error: {
        code: "OperationNotAllowed",
        message:
          "The server rejected the request because too many requests have been received for this subscription.",
        details: [{ code: "TooManyRequests", target: refusal.bucket, message: JSON.stringify(window) }],
      },
    },
  };
}

/** GET and PUT /admin/compute-throttling: read or replace Compute's limits (buckets start full). */
export function computeThrottlingAdminRoutes(throttling: ComputeThrottling): ProviderRoute[] {
  return configAdminRoutes("compute-throttling", ComputeThrottlingSchema, throttling);
}
