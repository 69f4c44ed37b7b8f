// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a standby takes
// the lease once it has seen it unchanged for a lease duration (by its own clock, so clocks
// need not agree); the leader renews every retry period and gives up if it cannot renew within
// the renew deadline, or at once if it sees another holder. Releasing clears holderIdentity so
// a standby takes over without waiting for expiry.
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { sleep } from "./backoff.ts";
import { isConflict, isNotFound } from "./errors.ts";
import { errorMessage, type Log, silentLog } from "./logger.ts";

export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** controller-runtime's defaults. */
export const DEFAULT_TIMINGS: LeaderElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

const JITTER = 1.2;

/** client-go's constraints: leaseDuration > renewDeadline > 1.2 × retryPeriod. */
export function validateTimings(t: LeaderElectionTimings): void {
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new RangeError(
      `lease duration (${t.leaseDurationMs} ms) must be greater than the renew deadline (${t.renewDeadlineMs} ms)`,
    );
  }
  if (!(t.renewDeadlineMs > JITTER * t.retryPeriodMs)) {
    throw new RangeError(
      `renew deadline (${t.renewDeadlineMs} ms) must be greater than ${JITTER} × the retry period (${t.retryPeriodMs} ms)`,
    );
  }
  if (!(t.retryPeriodMs > 0)) throw new RangeError("retry period must be positive");
}

export interface LeaderElectorOptions extends Partial<LeaderElectionTimings> {
  namespace: string;
  name: string;
  identity: string;
  log?: Log;
}

export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #ns: string;
  readonly #name: string;
  readonly #identity: string;
  readonly #t: LeaderElectionTimings;
  readonly #log: Log;
  #observedVersion: string | undefined;
  #observedAt = 0;
  #lease: V1Lease | undefined;
  #leading = false;

  constructor(kc: KubeConfig, options: LeaderElectorOptions) {
    this.#api = kc.makeApiClient(CoordinationV1Api);
    this.#ns = options.namespace;
    this.#name = options.name;
    this.#identity = options.identity;
    this.#t = {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULT_TIMINGS.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_TIMINGS.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULT_TIMINGS.retryPeriodMs,
    };
    validateTimings(this.#t);
    this.#log = (options.log ?? silentLog).child({ lease: `${this.#ns}/${this.#name}` });
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Resolves once this process holds the lease; resolves false if the signal aborts first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info({}, "waiting to acquire the leader lease");
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) {
        this.#leading = true;
        this.#log.info({}, "acquired the leader lease");
        return true;
      }
      await sleep(this.#t.retryPeriodMs * (1 + Math.random() * (JITTER - 1)), signal);
    }
    return false;
  }

  /**
   * Renews the lease until the signal aborts (resolves true) or leadership is lost (resolves
   * false): renewals failed for the whole renew deadline, or another holder took the lease.
   */
  async hold(signal: AbortSignal): Promise<boolean> {
    let lastRenew = performance.now();
    while (!signal.aborted) {
      await sleep(this.#t.retryPeriodMs, signal);
      // Released meanwhile: renewing now would take the lease back.
      if (signal.aborted || !this.#leading) break;
      // A renewal that hangs (a partitioned API server) must not outlive the renew deadline:
      // past it another process may lead, so stop waiting and step down.
      const deadline = new AbortController();
      const left = lastRenew + this.#t.renewDeadlineMs - performance.now();
      const renewed = await Promise.race([
        this.#tryAcquireOrRenew(),
        sleep(left, deadline.signal).then(() => false),
      ]);
      deadline.abort();
      if (renewed) {
        lastRenew = performance.now();
        continue;
      }
      const holder = this.#lease?.spec?.holderIdentity;
      if (holder && holder !== this.#identity) {
        this.#leading = false;
        this.#log.warn({ holder }, "another process holds the leader lease; stopping");
        return false;
      }
      if (performance.now() - lastRenew >= this.#t.renewDeadlineMs) {
        this.#leading = false;
        this.#log.warn({}, "could not renew the leader lease within the renew deadline; stopping");
        return false;
      }
    }
    return true;
  }

  /** Gives the lease up so a standby can take it at once. */
  async release(): Promise<void> {
    if (!this.#leading || !this.#lease) return;
    this.#leading = false;
    const now = new V1MicroTime(Date.now());
    try {
      await this.#api.replaceNamespacedLease({
        namespace: this.#ns,
        name: this.#name,
        body: {
          ...this.#lease,
          spec: {
            ...this.#lease.spec,
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
      });
      this.#log.info({}, "released the leader lease");
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, "could not release the leader lease; it will expire");
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = new V1MicroTime(Date.now());
    const durationSeconds = Math.ceil(this.#t.leaseDurationMs / 1000);
    try {
      let lease: V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ namespace: this.#ns, name: this.#name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        this.#lease = await this.#api.createNamespacedLease({
          namespace: this.#ns,
          body: {
            metadata: { name: this.#name, namespace: this.#ns },
            spec: {
              holderIdentity: this.#identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      }
      this.#lease = lease;
      // Expiry is judged by our own clock: how long the record has stayed unchanged.
      if (lease.metadata?.resourceVersion !== this.#observedVersion) {
        this.#observedVersion = lease.metadata?.resourceVersion;
        this.#observedAt = performance.now();
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const heldByOther = holder !== "" && holder !== this.#identity;
      const ttlMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (heldByOther && performance.now() < this.#observedAt + ttlMs) return false;

      const taking = holder !== this.#identity;
      this.#lease = await this.#api.replaceNamespacedLease({
        namespace: this.#ns,
        name: this.#name,
        body: {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: this.#identity,
            leaseDurationSeconds: durationSeconds,
            renewTime: now,
            // A Date read back must be written as a MicroTime (six fractional digits).
            acquireTime: taking || !spec.acquireTime ? now : asMicroTime(spec.acquireTime),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (taking ? 1 : 0),
          },
        },
      });
      this.#observedVersion = this.#lease.metadata?.resourceVersion;
      this.#observedAt = performance.now();
      return true;
    } catch (error) {
      // A conflict means another process wrote the lease between our read and write.
      if (!isConflict(error)) this.#log.warn({ err: errorMessage(error) }, "leader lease request failed");
      return false;
    }
  }
}

/** client-node hands MicroTime fields back as strings or Dates; the server wants six fractional digits. */
function asMicroTime(value: Date | string): V1MicroTime {
  return new V1MicroTime(new Date(value).getTime());
}
