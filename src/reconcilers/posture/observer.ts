// The plan's Azure side: reads the inventory through the plan's gateways, keeps the posture of
// its strategy (replication for SiteRecovery, deallocated and registered standby hosts for the
// standby strategies), and reports it as status, conditions and kstatus health.
import {
  type AvdDisasterRecoveryPlan,
  type ConditionInput,
  metav1Time,
  PLAN_DEFAULTS,
  PLAN_KIND,
  parseDuration,
  type Region,
  type RegionStatus,
} from "../../api/index.ts";
import { classifyAzureError } from "../../azure/classify.ts";
import type { EventRecorder } from "../../controller/events.ts";
import type { Log } from "../../controller/logger.ts";
import type { AzureAccess } from "../azure-access.ts";
import type { Clock } from "../clock.ts";
import { activeRegionOf, type Host, readInventory, regionSpec } from "../inventory.ts";
import type { Health } from "../kstatus.ts";
import type { PlanObservation, PlanObserver } from "../plan.ts";
import type { AzureCredentials } from "../plan-validation.ts";
import type { PostureContext, Problem } from "./context.ts";
import { keepReplication } from "./site-recovery.ts";
import { keepStandby } from "./standby.ts";

/** While work is in flight, the plan is looked at again after this long (on its clock). */
const IN_FLIGHT_RECHECK_MS = 30_000;

export interface PlanPostureDeps {
  access: AzureAccess;
  clock: Clock;
  events: EventRecorder;
  log: Log;
  /** Reads a plan from the API server itself: acting is re-checked just before Azure is changed. */
  livePlans: { get(namespace: string, name: string): Promise<AvdDisasterRecoveryPlan | undefined> };
  /** Azure region of the cluster the operator runs in; undefined when not known. */
  operatorRegion?: string;
  /** Told of each observed plan's readiness and worst RPO (the operator's metrics). */
  onObserved?: (
    plan: AvdDisasterRecoveryPlan,
    readiness: { failoverReady: boolean; worstRpoSeconds?: number },
  ) => void;
}

export class PlanPosture implements PlanObserver {
  readonly #d: PlanPostureDeps;

  constructor(deps: PlanPostureDeps) {
    this.#d = deps;
  }

  async observe(
    plan: AvdDisasterRecoveryPlan,
    credentials: AzureCredentials | undefined,
  ): Promise<PlanObservation> {
    const { clock } = this.#d;
    const ctx: PostureContext = {
      plan,
      gateways: this.#d.access.gatewaysFor(plan, credentials),
      clock,
      log: this.#d.log.child({ plan: `${plan.metadata.namespace}/${plan.metadata.name}` }),
      events: {
        record: (event) => this.#d.events.record({ ...plan, kind: PLAN_KIND }, event),
      },
      acting: plan.status?.activeFailover === undefined,
      stillActing: async () => {
        const now = await this.#d.livePlans.get(plan.metadata.namespace!, plan.metadata.name!);
        return now !== undefined && now.status?.activeFailover === undefined;
      },
    };
    const steadyMs = clock.toRealMs(
      parseDuration(plan.spec.observeInterval ?? PLAN_DEFAULTS.observeInterval),
    );
    try {
      return await this.#observe(ctx, steadyMs);
    } catch (error) {
      const failure = classifyAzureError(error);
      if (failure.kind === "bug") throw error;
      if (failure.kind === "transient") {
        ctx.log.warn({ code: failure.code, err: failure.message }, "Azure did not answer; retrying");
        return {
          status: {},
          conditions: [],
          health: {
            state: "Reconciling",
            reason: "AzureRetrying",
            message: `Azure did not answer (${failure.code}); retrying: ${failure.message}`,
          },
          requeueAfterMs: failure.retryAfterMs ?? clock.toRealMs(IN_FLIGHT_RECHECK_MS),
        };
      }
      const message = `${failure.message}; ${failure.fix}`;
      this.#d.onObserved?.(plan, { failoverReady: false });
      return {
        status: {},
        conditions: [{ type: "FailoverReady", status: "False", reason: failure.reason, message }],
        health: { state: "Stalled", reason: failure.reason, message },
        requeueAfterMs: steadyMs,
      };
    }
  }

  async #observe(ctx: PostureContext, steadyMs: number): Promise<PlanObservation> {
    const { plan } = ctx;
    const { desktopVirtualization, compute } = ctx.gateways;
    const inventory = await readInventory(plan, desktopVirtualization, compute);
    const status: PlanObservation["status"] = {
      primary: regionCounts(plan, inventory.hosts, "Primary"),
      secondary: regionCounts(plan, inventory.hosts, "Secondary"),
    };
    const conditions: ConditionInput[] = [];
    const readiness: Problem[] = [];
    const inFlight: string[] = [];
    let postureReady: ConditionInput;
    let worstRpoSeconds: number | undefined;
    if (plan.spec.strategy === "SiteRecovery") {
      const r = await keepReplication(ctx, inventory);
      status.replication = r.replication;
      worstRpoSeconds = r.replication.worstRpoSeconds;
      postureReady = r.protectedCondition;
      conditions.push(r.protectedCondition);
      readiness.push(...r.readiness);
      inFlight.push(...r.inFlight);
    } else {
      const s = await keepStandby(ctx, inventory);
      // Keys set to undefined are removed from status when it is written (a refresh that ended).
      Object.assign(status, { lastStandbyPowerOn: undefined, standbyRefresh: undefined }, s.status);
      postureReady = s.deallocatedCondition;
      conditions.push(standbyProtected(plan, s.readiness), s.deallocatedCondition);
      readiness.push(...s.readiness);
      inFlight.push(...s.inFlight);
    }
    status.lastObservedTime = metav1Time(ctx.clock.now());

    const notes = [...inventory.unreachable].map(
      ([rg, why]) =>
        `the VMs of resource group ${rg} could not be read, so their power state is unknown (${why})`,
    );
    const failoverReady = this.#failoverReady(plan, readiness, notes);
    conditions.push(failoverReady);
    this.#d.onObserved?.(plan, {
      failoverReady: failoverReady.status === "True",
      ...(worstRpoSeconds !== undefined ? { worstRpoSeconds } : {}),
    });
    let health: Health;
    if (!ctx.acting)
      health = {
        state: "Reconciling",
        reason: "FailoverInProgress",
        message: `FailoverRequest ${plan.status?.activeFailover?.name} is running; the posture is kept again when it ends`,
      };
    else if (inFlight.length > 0)
      health = { state: "Reconciling", reason: "PostureInProgress", message: inFlight.join("; ") };
    else if (failoverReady.status === "True" && postureReady.status === "True")
      health = { state: "Ready", reason: "Ready", message: failoverReady.message };
    else {
      const first = [postureReady, failoverReady].find((c) => c.status !== "True")!;
      health = { state: "Degraded", reason: first.reason, message: first.message };
    }
    // A running failover is watched by its runner; the plan is only looked at again when it ends
    // (the request's release wakes it) or at the steady interval.
    const busy = inFlight.length > 0;
    return {
      status,
      conditions,
      health,
      requeueAfterMs: busy ? ctx.clock.toRealMs(IN_FLIGHT_RECHECK_MS) : steadyMs,
    };
  }

  #failoverReady(plan: AvdDisasterRecoveryPlan, problems: Problem[], notes: string[]): ConditionInput {
    const active = regionSpec(plan, activeRegionOf(plan));
    const target = regionSpec(plan, activeRegionOf(plan) === "Primary" ? "Secondary" : "Primary");
    const all = [...problems];
    if (plan.status?.activeFailover)
      all.unshift({
        reason: "FailoverInProgress",
        message: `FailoverRequest ${plan.status.activeFailover.name} is running`,
      });
    const region = this.#d.operatorRegion;
    if (region !== undefined && region.toLowerCase() === active.location)
      all.push({
        reason: "OperatorInActiveRegion",
        message: `the operator runs in ${region}, the region this plan fails over from: an outage there would take the operator down too; run it in another region`,
      });
    const first = all[0];
    if (first)
      return {
        type: "FailoverReady",
        status: "False",
        reason: first.reason,
        message: all.map((p) => p.message).join("; "),
      };
    const warnings = [
      ...(region === undefined
        ? [
            "the operator's own region is not known (no topology.kubernetes.io/region label on its node, no --cluster-region), so it cannot tell whether an outage of this region would also stop it",
          ]
        : []),
      ...notes,
    ];
    const warning = warnings.map((w) => `; warning: ${w}`).join("");
    return {
      type: "FailoverReady",
      status: "True",
      reason: "Ready",
      message: `a failover from ${active.location} to ${target.location} can start now${warning}`,
    };
  }
}

/** For the standby strategies: standby hosts exist and can register. */
function standbyProtected(plan: AvdDisasterRecoveryPlan, problems: Problem[]): ConditionInput {
  const blocking = problems.find((p) =>
    ["NoStandbyHosts", "StandbyVmMissing", "RegistrationStale", "RegistrationRefreshFailed"].includes(
      p.reason,
    ),
  );
  if (blocking) return { type: "Protected", status: "False", ...blocking };
  const standby = regionSpec(plan, activeRegionOf(plan) === "Primary" ? "Secondary" : "Primary");
  return {
    type: "Protected",
    status: "True",
    reason: "StandbyHostsRegistered",
    message: `standby session hosts in ${standby.location} are present and their AVD registration is fresh`,
  };
}

function regionCounts(plan: AvdDisasterRecoveryPlan, hosts: Host[], region: Region): RegionStatus {
  const mine = hosts.filter((h) => h.region === region);
  return {
    location: regionSpec(plan, region).location,
    sessionHosts: mine.length,
    availableHosts: mine.filter((h) => h.info.status === "Available").length,
    runningVms: mine.filter((h) => h.vm?.powerState === "running").length,
    drainingHosts: mine.filter((h) => !h.info.allowNewSession).length,
    userSessions: mine.reduce((n, h) => n + h.info.sessions, 0),
  };
}
