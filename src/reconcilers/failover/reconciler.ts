// The FailoverRequest reconciler. Its Kubernetes side admits a request (admission.ts), records
// an accepted one on its plan's status as the active failover, and releases the plan when the
// request is deleted. The phases after Pending belong to the failover runner (runner.ts).
import {
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanStatus,
  FAILOVER_KIND,
  type FailoverPhase,
  type FailoverRequest,
  type FailoverRequestStatus,
  metav1Time,
} from "../../api/index.ts";
import type { ReconcileOutcome, Reconciler } from "../../controller/controller.ts";
import type { EventRecorder } from "../../controller/events.ts";
import { type FinalizerWriter, hasFinalizer } from "../../controller/finalizers.ts";
import type { Log } from "../../controller/logger.ts";
import type { StatusWriter } from "../../controller/objects.ts";
import type { StoreReader } from "../../controller/store.ts";
import { type Clock, systemClock } from "../clock.ts";
import { REQUESTS_BY_PLAN } from "../indexes.ts";
import { type Health, withHealth } from "../kstatus.ts";
import { admit, anotherFailoverActive, isActive, isTerminal, type Rejection } from "./admission.ts";

/** How soon to decide again when the cache has not caught up with the API server yet. */
const CACHE_CATCH_UP_MS = 200;

/** Held by an accepted request so that deleting it releases its plan. */
export const FAILOVER_FINALIZER = "avddr.io/failover";

/** Runs an accepted request's phases (drain, failover, verify, …): the Azure side. */
export interface FailoverRunner {
  run(
    request: FailoverRequest,
    plan: AvdDisasterRecoveryPlan | undefined,
    signal: AbortSignal,
    /** The request as just written by this process, when there is one: no need to read it again. */
    live?: FailoverRequest,
  ): Promise<ReconcileOutcome | undefined>;
  /** Releases the plan of a finished request (idempotent). */
  finish(request: FailoverRequest, plan: AvdDisasterRecoveryPlan | undefined): Promise<void>;
}

/** What both the reconciler and the runner read and write of requests and plans. */
export interface FailoverObjects {
  plans: StoreReader<AvdDisasterRecoveryPlan>;
  /** Reads a request from the API server itself, never a cache that may lag. */
  liveRequests: { get(namespace: string, name: string): Promise<FailoverRequest | undefined> };
  requestStatus: StatusWriter<FailoverRequest, FailoverRequestStatus>;
  planStatus: StatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>;
  finalizers: FinalizerWriter<FailoverRequest>;
  events: EventRecorder;
  log: Log;
}

export interface FailoverReconcilerDeps extends FailoverObjects {
  requests: StoreReader<FailoverRequest>;
  /** The time conditions and completion are recorded with (the runner's clock). */
  clock?: Clock;
  /** Absent, an accepted request stays Pending. */
  runner?: FailoverRunner;
}

export class FailoverReconciler implements Reconciler {
  readonly #d: FailoverReconcilerDeps;

  constructor(deps: FailoverReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | undefined> {
    const request = this.#d.requests.get(key);
    if (!request) return undefined;
    const planKey = `${request.metadata.namespace}/${request.spec?.planRef?.name}`;
    const plan = this.#d.plans.get(planKey);
    if (request.metadata.deletionTimestamp) {
      await this.#release(request, plan);
      return undefined;
    }
    if (isTerminal(request)) {
      // A restart between the request's last write and its plan's release finishes the release.
      if (request.status?.phase !== "Rejected") await this.#d.runner?.finish(request, plan);
      return undefined;
    }
    if (isActive(request)) return this.#d.runner?.run(request, plan, signal);

    const admission = admit(request, plan, this.#d.requests.byIndex(REQUESTS_BY_PLAN, planKey));
    if (admission.decision === "accept" && plan) {
      // An accepted request starts at once, not after its own status write comes back through the cache.
      const accepted = await this.#accept(request, plan);
      if (accepted) return this.#d.runner?.run(accepted, plan, signal, accepted);
    } else if (admission.decision === "reject") {
      // A rejection is for good: make sure the cache is not just behind a request that has finished.
      if (admission.activeRequest && !(await this.#stillActive(request, admission.activeRequest))) {
        return { requeueAfterMs: CACHE_CATCH_UP_MS };
      }
      await this.#reject(request, admission);
    } else if (admission.decision === "wait") {
      await this.#write(request, undefined, {
        state: "Reconciling",
        reason: admission.reason,
        message: admission.message,
      });
    }
    return undefined;
  }

  /** Returns the request as written once it is the plan's active failover; undefined otherwise. */
  async #accept(
    request: FailoverRequest,
    plan: AvdDisasterRecoveryPlan,
  ): Promise<FailoverRequest | undefined> {
    const held = await this.#d.finalizers.add(request, FAILOVER_FINALIZER);
    // A dry run changes nothing, so it does not become the plan's active failover.
    const holder = request.spec.dryRun ? held.metadata.name : await this.#claim(plan, held);
    if (holder === undefined)
      throw new Error(`plan ${plan.metadata.name} went away while accepting; deciding again`);
    if (holder !== held.metadata.name) {
      // #claim has read the holder from the API server: it is active.
      await this.#reject(held, anotherFailoverActive(plan.metadata.name!, holder, undefined));
      return undefined;
    }
    const message = request.spec.dryRun
      ? `accepted as a dry run of plan ${plan.metadata.name}: nothing will be changed`
      : `accepted as the active failover of plan ${plan.metadata.name}; waiting for the failover to start`;
    const written = await this.#write(held, "Pending", { state: "Reconciling", reason: "Accepted", message });
    if (written) {
      this.#d.log.info(
        { request: `${held.metadata.namespace}/${held.metadata.name}` },
        "failover request accepted",
      );
      this.#d.events.record(this.#obj(held), {
        type: "Normal",
        reason: "Accepted",
        action: "Admit",
        note: message,
      });
    }
    return written;
  }

  async #stillActive(request: FailoverRequest, name: string): Promise<boolean> {
    const live = await this.#d.liveRequests.get(request.metadata.namespace!, name);
    return live !== undefined && !isTerminal(live);
  }

  /**
   * Records the request as the plan's active failover. The plan's resourceVersion makes this a
   * compare-and-swap: of two requests racing for one plan, one write wins. Returns the holder.
   */
  async #claim(plan: AvdDisasterRecoveryPlan, request: FailoverRequest): Promise<string | undefined> {
    const me = request.metadata.name;
    const stale = new Set<string>();
    let current: AvdDisasterRecoveryPlan | undefined = plan;
    for (let attempt = 0; current && attempt < 3; attempt++) {
      const written: AvdDisasterRecoveryPlan | undefined = await this.#d.planStatus.update(current, (p) => {
        const holder = p.status?.activeFailover?.name;
        if (holder === me || (holder !== undefined && !stale.has(holder))) return undefined;
        return {
          ...p.status,
          activeFailover: {
            name: me!,
            phase: "Pending",
            type: request.spec.type,
            direction: request.spec.direction,
          },
        };
      });
      const holder = written?.status?.activeFailover?.name;
      if (!written || holder === me || holder === undefined) return holder;
      // The record names another request: it holds the plan unless it is gone or finished.
      const live = await this.#d.liveRequests.get(request.metadata.namespace!, holder);
      if (live && !isTerminal(live)) return holder;
      stale.add(holder);
      current = written;
    }
    throw new Error(`plan ${plan.metadata.name}: could not record the active failover; retrying`);
  }

  async #reject(request: FailoverRequest, admission: Rejection): Promise<void> {
    const written = await this.#write(request, "Rejected", {
      state: "Stalled",
      reason: admission.reason,
      message: admission.message,
    });
    if (!written) return;
    if (hasFinalizer(written, FAILOVER_FINALIZER))
      await this.#d.finalizers.remove(written, FAILOVER_FINALIZER);
    this.#d.log.warn(
      {
        request: `${request.metadata.namespace}/${request.metadata.name}`,
        reason: admission.reason,
        message: admission.message,
      },
      "failover request rejected",
    );
    this.#d.events.record(this.#obj(request), {
      type: "Warning",
      reason: admission.reason,
      action: "Admit",
      note: admission.message,
    });
  }

  /** A deleted request stops holding its plan, then lets the API server delete it. */
  async #release(request: FailoverRequest, plan: AvdDisasterRecoveryPlan | undefined): Promise<void> {
    if (!hasFinalizer(request, FAILOVER_FINALIZER)) return;
    if (plan) {
      await this.#d.planStatus.update(plan, (p) => {
        if (p.status?.activeFailover?.name !== request.metadata.name) return undefined;
        const rest = { ...p.status };
        delete rest.activeFailover;
        return rest;
      });
    }
    await this.#d.finalizers.remove(request, FAILOVER_FINALIZER);
  }

  /**
   * Writes phase (undefined: still undecided), message and conditions. Progress only moves
   * forward: a request that has a phase already is left as it is. Returns the written object.
   */
  async #write(
    request: FailoverRequest,
    phase: FailoverPhase | undefined,
    health: Health,
  ): Promise<FailoverRequest | undefined> {
    const generation = request.metadata.generation ?? 0;
    const now = (this.#d.clock ?? systemClock).now();
    const written = await this.#d.requestStatus.update(
      request,
      (current): FailoverRequestStatus | undefined => {
        if (current.status?.phase !== undefined) return undefined;
        const status: FailoverRequestStatus = {
          ...current.status,
          observedGeneration: generation,
          message: health.message,
          conditions: withHealth(current.status?.conditions, health, generation, now),
        };
        if (phase) status.phase = phase;
        if (phase === "Rejected") status.completionTime = metav1Time(now);
        return status;
      },
    );
    return written?.status?.phase === phase ? written : undefined;
  }

  #obj(request: FailoverRequest): FailoverRequest {
    return { ...request, kind: FAILOVER_KIND };
  }
}
