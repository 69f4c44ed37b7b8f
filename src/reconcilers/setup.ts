// Wires the two reconcilers into a manager: which informers feed which controller, the cache
// indexes they query, and the clients behind their small interfaces.
import type { KubeConfig, KubernetesObject, V1Secret } from "@kubernetes/client-node";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type AvdDisasterRecoveryPlanStatus,
  FAILOVER_PLURAL,
  type FailoverRequest,
  type FailoverRequestStatus,
  GROUP,
  PLAN_PLURAL,
  VERSION,
} from "../api/index.ts";
import { Controller } from "../controller/controller.ts";
import { KubeEventRecorder } from "../controller/events.ts";
import { FinalizerPatcher } from "../controller/finalizers.ts";
import type { Log } from "../controller/logger.ts";
import type { Manager } from "../controller/manager.ts";
import type { OperatorMetrics } from "../controller/metrics.ts";
import { ConflictRetryingStatusWriter, CustomObjectClient } from "../controller/objects.ts";
import { keyOf } from "../controller/store.ts";
import type { AzureAccess } from "./azure-access.ts";
import { type Clock, systemClock } from "./clock.ts";
import { isUndecided } from "./failover/admission.ts";
import { FailoverReconciler } from "./failover/reconciler.ts";
import { AzureFailoverRunner } from "./failover/runner.ts";
import {
  PLANS_BY_HOST_POOL,
  PLANS_BY_SECRET,
  planHostPoolKeys,
  planSecretKeys,
  REQUESTS_BY_PLAN,
  requestPlanKeys,
} from "./indexes.ts";
import { PlanReconciler } from "./plan.ts";
import { credentialKeysOnly } from "./plan-validation.ts";
import { PlanPosture } from "./posture/observer.ts";

export const OPERATOR_NAME = "avd-dr-operator";

export interface ReconcilerSetup {
  kc: KubeConfig;
  manager: Manager;
  log: Log;
  metrics: OperatorMetrics;
  /** This process, for Events' reportingInstance. */
  identity: string;
  maxConcurrentReconciles: number;
  /** Azure for the plans; without it plans are only validated (their Azure side is Unknown). */
  azure?: AzureAccess;
  /** The reconcilers' time: the wall clock, or the emulator's simulated clock. */
  clock?: Clock;
  /** Azure region of the operator's own cluster, if known. */
  operatorRegion?: string;
}

export function setupReconcilers(s: ReconcilerSetup): { events: KubeEventRecorder } {
  const { kc, manager, log, metrics } = s;
  const plans = manager.informers<AvdDisasterRecoveryPlan>({ apiVersion: API_VERSION, plural: PLAN_PLURAL });
  const requests = manager.informers<FailoverRequest>({ apiVersion: API_VERSION, plural: FAILOVER_PLURAL });
  const secrets = manager.informers<V1Secret>(
    { apiVersion: "v1", plural: "secrets" },
    { transform: credentialKeysOnly },
  );
  plans.addIndex(PLANS_BY_SECRET, planSecretKeys);
  plans.addIndex(PLANS_BY_HOST_POOL, planHostPoolKeys);
  requests.addIndex(REQUESTS_BY_PLAN, requestPlanKeys);

  const planClient = new CustomObjectClient<AvdDisasterRecoveryPlan>(kc, {
    group: GROUP,
    version: VERSION,
    plural: PLAN_PLURAL,
  });
  const requestClient = new CustomObjectClient<FailoverRequest>(kc, {
    group: GROUP,
    version: VERSION,
    plural: FAILOVER_PLURAL,
  });
  const conflicts = (resource: string) => ({ onConflict: () => metrics.statusConflicts.inc({ resource }) });
  const planStatus = new ConflictRetryingStatusWriter<AvdDisasterRecoveryPlan, AvdDisasterRecoveryPlanStatus>(
    planClient,
    conflicts(PLAN_PLURAL),
  );
  const events = new KubeEventRecorder(kc, {
    controller: `${GROUP}/${OPERATOR_NAME}`,
    instance: s.identity,
    log,
  });

  const clock = s.clock ?? systemClock;
  const planLog = log.child({ controller: "avddisasterrecoveryplan" });
  const planObserver = s.azure
    ? new PlanPosture({
        access: s.azure,
        livePlans: planClient,
        clock,
        events,
        log: planLog,
        ...(s.operatorRegion ? { operatorRegion: s.operatorRegion } : {}),
        onObserved: (plan, readiness) => metrics.observePlan(keyOf(plan), readiness),
      })
    : undefined;
  const planController = new Controller({
    name: "avddisasterrecoveryplan",
    maxConcurrentReconciles: s.maxConcurrentReconciles,
    log,
    metrics,
    reconciler: new PlanReconciler({
      plans,
      livePlans: planClient,
      secrets,
      status: planStatus,
      events,
      log: planLog,
      clock,
      onDeleted: (key) => metrics.forgetPlan(key),
      ...(planObserver ? { observer: planObserver } : {}),
    }),
  });
  // A plan change can settle a host-pool claim of another plan; a Secret change, its plans.
  planController.watch(
    plans,
    (plan) => [
      keyOf(plan),
      ...planHostPoolKeys(plan).flatMap((k) => plans.byIndex(PLANS_BY_HOST_POOL, k).map(keyOf)),
    ],
    { changed: planChanged },
  );
  planController.watch(secrets, (secret) => plans.byIndex(PLANS_BY_SECRET, keyOf(secret)).map(keyOf));

  const requestStatus = new ConflictRetryingStatusWriter<FailoverRequest, FailoverRequestStatus>(
    requestClient,
    conflicts(FAILOVER_PLURAL),
  );
  const finalizers = new FinalizerPatcher(requestClient);
  const failoverLog = log.child({ controller: "failoverrequest" });
  const runner = s.azure
    ? new AzureFailoverRunner({
        access: s.azure,
        clock,
        plans,
        secrets,
        liveRequests: requestClient,
        requestStatus,
        planStatus,
        finalizers,
        events,
        log: failoverLog,
        metrics: metrics.failoverMetrics,
      })
    : undefined;
  const failoverController = new Controller({
    name: "failoverrequest",
    maxConcurrentReconciles: s.maxConcurrentReconciles,
    log,
    metrics,
    reconciler: new FailoverReconciler({
      requests,
      plans,
      liveRequests: requestClient,
      requestStatus,
      planStatus,
      finalizers,
      events,
      log: failoverLog,
      clock,
      ...(runner ? { runner } : {}),
    }),
  });
  // A request's change may decide the undecided requests queued behind it for the same plan.
  failoverController.watch(
    requests,
    (request) => [
      keyOf(request),
      ...requestPlanKeys(request).flatMap((k) =>
        requests.byIndex(REQUESTS_BY_PLAN, k).filter(isUndecided).map(keyOf),
      ),
    ],
    { changed: requestChanged },
  );
  failoverController.watch(plans, (plan) => requests.byIndex(REQUESTS_BY_PLAN, keyOf(plan)).map(keyOf), {
    changed: planChanged,
  });

  manager.addController(planController);
  manager.addController(failoverController);
  return { events };
}

/** controller-runtime's GenerationChangedPredicate, and a deletion starting. */
function specOrDeletionChanged(old: KubernetesObject, obj: KubernetesObject): boolean {
  return (
    old.metadata?.generation !== obj.metadata?.generation ||
    old.metadata?.deletionTimestamp !== obj.metadata?.deletionTimestamp
  );
}

/**
 * A plan change the reconcilers act on: its spec, its deletion, or what the failover runner and
 * the posture hand each other (the active failover, the active region). The plan reconciler's
 * own status writes (counts, conditions, times) are not.
 */
function planChanged(old: AvdDisasterRecoveryPlan, obj: AvdDisasterRecoveryPlan): boolean {
  return (
    specOrDeletionChanged(old, obj) ||
    old.status?.activeFailover?.name !== obj.status?.activeFailover?.name ||
    old.status?.activeRegion !== obj.status?.activeRegion
  );
}

/** A request change to act on: its spec, its deletion or finalizers, or a new phase (another request may be decided then). */
function requestChanged(old: FailoverRequest, obj: FailoverRequest): boolean {
  return (
    specOrDeletionChanged(old, obj) ||
    (old.metadata?.finalizers ?? []).join() !== (obj.metadata?.finalizers ?? []).join() ||
    old.status?.phase !== obj.status?.phase
  );
}
