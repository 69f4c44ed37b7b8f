// The plan reconciler: checks what CEL cannot, records observedGeneration and honest
// Ready/Reconciling/Stalled conditions, and hands a valid plan to the Azure observer
// (posture/observer.ts), which keeps its DR posture and fills in the Azure-derived status.
import type { V1Secret } from "@kubernetes/client-node";
import {
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanStatus,
  type Condition,
  type ConditionInput,
  getCondition,
  PLAN_KIND,
  PlanConditions,
  setCondition,
} from "../api/index.ts";
import type { ReconcileOutcome, Reconciler } from "../controller/controller.ts";
import type { EventRecorder } from "../controller/events.ts";
import type { Log } from "../controller/logger.ts";
import type { StatusWriter } from "../controller/objects.ts";
import type { StoreReader } from "../controller/store.ts";
import { type Clock, systemClock } from "./clock.ts";
import { type Health, withHealth } from "./kstatus.ts";
import { type AzureCredentials, validatePlan } from "./plan-validation.ts";

/** What the Azure side reports about a valid plan. */
export interface PlanObservation {
  /** Status fields the observer owns (counts, replication); a key set to undefined is removed. activeRegion belongs to the failover runner. */
  status: Omit<
    AvdDisasterRecoveryPlanStatus,
    "observedGeneration" | "activeFailover" | "conditions" | "activeRegion" | "lastFailover"
  >;
  /** Its own conditions (Protected, StandbyDeallocated, FailoverReady); kstatus's come from `health`. */
  conditions: ConditionInput[];
  health: Health;
  requeueAfterMs?: number;
}

/** Conditions and status fields read from Azure: stale once the plan is invalid or suspended. */
const AZURE_CONDITIONS = [
  PlanConditions.Protected,
  PlanConditions.StandbyDeallocated,
  PlanConditions.FailoverReady,
] as const;

/** Reads the Azure side of a plan. Implemented over the Azure gateways; absent, the plan's Azure state is Unknown. */
export interface PlanObserver {
  observe(
    plan: AvdDisasterRecoveryPlan,
    credentials: AzureCredentials | undefined,
    signal: AbortSignal,
  ): Promise<PlanObservation>;
}

export interface PlanReconcilerDeps {
  plans: StoreReader<AvdDisasterRecoveryPlan>;
  secrets: StoreReader<V1Secret>;
  status: StatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>;
  events: EventRecorder;
  log: Log;
  observer?: PlanObserver;
  /** Reads a plan from the API server itself, for the observer. */
  livePlans?: { get(namespace: string, name: string): Promise<AvdDisasterRecoveryPlan | undefined> };
  clock?: Clock;
  /** Told when a plan is gone (its metrics series are dropped). */
  onDeleted?: (key: string) => void;
}

export class PlanReconciler implements Reconciler {
  readonly #d: PlanReconcilerDeps;

  constructor(deps: PlanReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | undefined> {
    const cached = this.#d.plans.get(key);
    // Azure is acted on from the plan as the API server has it: a cache a write behind could
    // start a registration refresh that has just finished.
    const plan =
      cached && this.#d.observer && this.#d.livePlans
        ? await this.#d.livePlans.get(cached.metadata.namespace!, cached.metadata.name!)
        : cached;
    if (!plan || plan.metadata?.deletionTimestamp) {
      this.#d.onDeleted?.(key);
      return undefined;
    }
    const generation = plan.metadata.generation ?? 0;
    const { problems, credentials } = validatePlan(plan, this.#d);
    const now = (this.#d.clock ?? systemClock).now();

    let health: Health;
    let observed: PlanObservation["status"] = {};
    let conditions: ConditionInput[] = [];
    let requeueAfterMs: number | undefined;
    if (problems.length > 0) {
      health = {
        state: "Stalled",
        reason: problems[0]!.reason,
        message: problems.map((p) => p.message).join("; "),
      };
      this.#d.log.warn({ plan: key, generation, problems }, "plan is invalid");
    } else if (plan.spec.suspend) {
      health = {
        state: "Unknown",
        reason: "Suspended",
        message: "spec.suspend is true: the operator leaves this plan alone; set it to false to resume",
      };
    } else if (this.#d.observer) {
      const observation = await this.#d.observer.observe(plan, credentials, signal);
      ({ health, requeueAfterMs, conditions } = observation);
      observed = observation.status;
    } else {
      health = {
        state: "Unknown",
        reason: "AzureNotObserved",
        message:
          "the spec is valid; this operator has no Azure observer configured, so the Azure side is not known",
      };
    }

    if (problems.length > 0 || plan.spec.suspend) {
      // What was read from Azure before is no longer kept current: say so rather than show it as fresh.
      observed = { primary: undefined, secondary: undefined, replication: undefined };
      conditions = AZURE_CONDITIONS.map((type) => ({
        type,
        status: "Unknown",
        reason: health.reason,
        message: `not observed: ${health.message}`,
      }));
    }
    const written = await this.#d.status.update(plan, (current) => {
      let next: Condition[] | undefined = current.status?.conditions;
      for (const c of conditions) {
        if (c.status === "Unknown" && !getCondition(next, c.type)) continue;
        next = setCondition(next, c, generation, now);
      }
      return {
        ...current.status,
        ...observed,
        activeRegion: current.status?.activeRegion ?? "Primary",
        observedGeneration: generation,
        conditions: withHealth(next, health, generation, now),
      };
    });
    if (written) this.#reportTransition(plan, written, health);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** One event when the plan becomes stalled (or stops being), not one per reconcile. */
  #reportTransition(before: AvdDisasterRecoveryPlan, after: AvdDisasterRecoveryPlan, health: Health): void {
    const was = getCondition(before.status?.conditions, "Stalled");
    const now = getCondition(after.status?.conditions, "Stalled");
    const obj = { ...after, kind: PLAN_KIND };
    if (now?.status === "True" && (was?.status !== "True" || was.message !== now.message)) {
      this.#d.events.record(obj, {
        type: "Warning",
        reason: health.reason,
        action: "Validate",
        note: health.message,
      });
    } else if (now?.status === "False" && was?.status === "True") {
      this.#d.events.record(obj, {
        type: "Normal",
        reason: "Valid",
        action: "Validate",
        note: "the spec is valid again",
      });
    }
  }
}
