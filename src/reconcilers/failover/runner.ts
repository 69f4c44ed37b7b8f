// Runs an accepted FailoverRequest one step at a time. Each reconcile reads the request from
// the API server (never a cache that may lag), builds the scope, runs the current phase's step,
// and writes the status once, guarded by the resourceVersion it read: a reconcile that raced
// another write changes nothing and looks again. Azure work is recorded in that write before
// anything waits on it; the next reconcile, in this process or another after a restart, reads it
// back and continues.
import { randomUUID } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import {
  type AvdDisasterRecoveryPlan,
  FAILOVER_KIND,
  type FailoverPhase,
  type FailoverRequest,
  type FailoverRequestStatus,
  formatDuration,
  isTerminalPhase,
  metav1Time,
  type Region,
} from "../../api/index.ts";
import { classifyAzureError } from "../../azure/classify.ts";
import type { ReconcileOutcome } from "../../controller/controller.ts";
import type { EventInput } from "../../controller/events.ts";
import { hasFinalizer } from "../../controller/finalizers.ts";
import type { Log } from "../../controller/logger.ts";
import type { StoreReader } from "../../controller/store.ts";
import type { AzureAccess } from "../azure-access.ts";
import type { Clock } from "../clock.ts";
import { activeRegionOf, otherRegion } from "../inventory.ts";
import { validatePlan } from "../plan-validation.ts";
import { type Phase, runbook, strategyOf } from "./phases.ts";
import { previewRun } from "./preview.ts";
import { FAILOVER_FINALIZER, type FailoverObjects, type FailoverRunner } from "./reconciler.ts";
import { azureReads, drainPolicy, type FailoverScope, type RequestMemory, verifyPolicy } from "./scope.ts";
import { failoverSummary, setStepCondition, summarise } from "./status.ts";
import { POLL_MS, type StepResult } from "./step.ts";
import { endPhase, phaseSeconds, startPhase } from "./timeline.ts";

/** How long to wait before looking again at a request that cannot start yet (clock time). */
const BLOCKED_RECHECK_MS = 30_000;

export interface FailoverMetrics {
  failoverFinished(type: string, result: "Succeeded" | "Failed"): void;
  phaseFinished(phase: FailoverPhase, seconds: number): void;
}

export interface FailoverRunnerDeps extends FailoverObjects {
  access: AzureAccess;
  clock: Clock;
  secrets: StoreReader<V1Secret>;
  metrics?: FailoverMetrics;
}

export class AzureFailoverRunner implements FailoverRunner {
  readonly #d: FailoverRunnerDeps;
  /** Per request (uid), what its reconciles in this process keep between them. */
  readonly #memory = new Map<string, RequestMemory>();

  constructor(deps: FailoverRunnerDeps) {
    this.#d = deps;
  }

  async run(
    cached: FailoverRequest,
    plan: AvdDisasterRecoveryPlan | undefined,
    signal: AbortSignal,
    justWritten?: FailoverRequest,
  ): Promise<ReconcileOutcome | undefined> {
    const live =
      justWritten ?? (await this.#d.liveRequests.get(cached.metadata.namespace!, cached.metadata.name!));
    if (!live || live.metadata.deletionTimestamp || isTerminalPhase(live.status?.phase)) {
      this.#memory.delete(cached.metadata.uid ?? "");
      if (live && isTerminalPhase(live.status?.phase)) await this.finish(live, plan);
      return undefined;
    }
    const { clock } = this.#d;
    const key = `${live.metadata.namespace}/${live.metadata.name}`;
    const log = this.#d.log.child({ request: key, reconcileId: randomUUID().slice(0, 8) });
    const blocked = plan
      ? this.#blocked(plan)
      : `AvdDisasterRecoveryPlan ${live.spec.planRef.name} no longer exists: recreate it, or delete this request`;
    if (blocked !== undefined || !plan) {
      await this.#write(live, (status) => {
        status.message = `waiting: ${blocked}`;
        summarise(status, "PlanNotUsable", generationOf(live), clock.now());
      });
      return { requeueAfterMs: clock.toRealMs(BLOCKED_RECHECK_MS) };
    }
    const status: FailoverRequestStatus = structuredClone(live.status ?? {});
    const scope = this.#scope(live, plan, status, log, signal);
    const phases = runbook(live, plan);
    const before = status.phase;
    let reason = "InProgress";
    let recheckMs: number | undefined;
    if (status.phase === "Pending" || status.phase === undefined) {
      const problem = this.#start(scope, phases);
      if (problem) {
        this.#fail(scope, problem.reason, problem.message);
        reason = problem.reason;
      }
    }
    if (!isTerminalPhase(status.phase)) {
      if (live.spec.dryRun) {
        const preview = await previewRun(scope, strategyOf(plan), phases);
        status.preview = preview;
        status.phase = "Succeeded";
        status.completionTime = metav1Time(scope.now());
        status.message = `dry run: nothing was changed. It would ${preview.steps.join("; ")}. ${preview.armWrites} ARM write(s), at least ${preview.estimatedDuration} within ARM's budget and the grace period, plus Azure's own time`;
        reason = "DryRun";
      } else {
        const phase = phases.find((p) => p.name === status.phase);
        if (!phase) {
          this.#fail(scope, "UnknownPhase", `phase ${status.phase} is not in this request's runbook`);
        } else {
          const started = performance.now();
          const outcome = await this.#step(scope, phase, phases);
          log.debug(
            { phase: phase.name, ms: Math.round(performance.now() - started), message: status.message },
            "step",
          );
          reason = outcome.reason;
          recheckMs = outcome.recheckMs;
        }
      }
    }
    summarise(status, reason, generationOf(live), scope.now());
    const writing = performance.now();
    const written = await this.#write(live, (draft) => Object.assign(draft, status));
    log.debug({ ms: Math.round(performance.now() - writing) }, "status written");
    if (!written) return { requeueAfterMs: 0 };
    await this.#afterWrite(written, plan, before, log);
    if (isTerminalPhase(written.status?.phase)) {
      this.#memory.delete(live.metadata.uid ?? "");
      return undefined;
    }
    return { requeueAfterMs: clock.toRealMs(recheckMs ?? 0) };
  }

  /**
   * Releases the plan of a finished request: its activeFailover is cleared, a successful
   * failover flips activeRegion, lastFailover records it; then the finalizer goes. Idempotent,
   * so a restart between the request's last write and this one finishes the job.
   */
  async finish(request: FailoverRequest, plan: AvdDisasterRecoveryPlan | undefined): Promise<void> {
    const phase = request.status?.phase;
    if (plan && phase && phase !== "Rejected") {
      await this.#d.planStatus.update(plan, (p) => {
        if (!p.status || p.status.activeFailover?.name !== request.metadata.name) return undefined;
        const { activeFailover: _, ...rest } = p.status;
        const moved =
          phase === "Succeeded" &&
          request.spec.type !== "Test" &&
          !request.spec.dryRun &&
          request.status?.toRegion;
        return {
          ...rest,
          ...(moved ? { activeRegion: request.status!.toRegion! } : {}),
          ...(request.spec.dryRun ? {} : { lastFailover: failoverSummary(request, phase) }),
        };
      });
    }
    if (hasFinalizer(request, FAILOVER_FINALIZER))
      await this.#d.finalizers.remove(request, FAILOVER_FINALIZER);
  }

  #memoryOf(request: FailoverRequest): RequestMemory {
    const uid = request.metadata.uid ?? "";
    let memory = this.#memory.get(uid);
    if (!memory) {
      memory = {};
      this.#memory.set(uid, memory);
    }
    return memory;
  }

  /** Why the plan cannot be acted on now (invalid, suspended), or undefined. */
  #blocked(plan: AvdDisasterRecoveryPlan): string | undefined {
    const { problems } = validatePlan(plan, this.#d);
    if (problems.length > 0)
      return `plan ${plan.metadata.name} is invalid: ${problems.map((p) => p.message).join("; ")}`;
    if (plan.spec.suspend)
      return `plan ${plan.metadata.name} is suspended (spec.suspend): set it to false to go on`;
    return undefined;
  }

  #scope(
    request: FailoverRequest,
    plan: AvdDisasterRecoveryPlan,
    status: FailoverRequestStatus,
    log: Log,
    signal: AbortSignal,
  ): FailoverScope {
    const { credentials } = validatePlan(plan, this.#d);
    const gateways = this.#d.access.gatewaysFor(plan, credentials);
    const from: Region = status.fromRegion ?? activeRegionOf(plan);
    const obj = { ...request, kind: FAILOVER_KIND };
    return {
      request,
      plan,
      gateways,
      clock: this.#d.clock,
      log,
      signal,
      from,
      to: status.toRegion ?? otherRegion(from),
      drain: drainPolicy(plan, request),
      verify: verifyPolicy(plan),
      status,
      memory: this.#memoryOf(request),
      events: { record: (event: EventInput) => this.#d.events.record(obj, event) },
      now: () => this.#d.clock.now(),
      ...azureReads(plan, gateways),
    };
  }

  /** Pending → the first phase, after the checks that need the plan's state. */
  #start(scope: FailoverScope, phases: Phase[]): { reason: string; message: string } | undefined {
    const { request, plan, status } = scope;
    const wanted: Region =
      (request.spec.direction ?? "ToSecondary") === "ToSecondary" ? "Secondary" : "Primary";
    if (scope.from === wanted)
      return {
        reason: "WrongDirection",
        message: `plan ${plan.metadata.name} is already active in its ${wanted.toLowerCase()} region (status.activeRegion ${wanted}): nothing to move; to go back, create a FailoverRequest with direction ${wanted === "Secondary" ? "ToPrimary" : "ToSecondary"}`,
      };
    if (request.spec.type === "Test" && plan.spec.strategy === "SiteRecovery" && !request.spec.testNetworkId)
      return {
        reason: "TestNetworkRequired",
        message:
          "a Test failover of a SiteRecovery plan needs spec.testNetworkId: the resource id of an isolated virtual network in the target region, so the test VMs cannot reach production",
      };
    const now = scope.now();
    status.startTime ??= metav1Time(now);
    status.fromRegion = scope.from;
    status.toRegion = scope.to;
    // A dry run goes from Pending straight to its end: no phase runs.
    if (request.spec.dryRun) return undefined;
    status.phase = phases[0]!.name;
    status.message = `started: ${phases.map((p) => p.name).join(" → ")}`;
    startPhase(status, status.phase, now);
    return undefined;
  }

  /** Runs the current phase's step and applies what it reported to the status draft. */
  async #step(
    scope: FailoverScope,
    phase: Phase,
    phases: Phase[],
  ): Promise<{ reason: string; recheckMs?: number }> {
    const { status } = scope;
    const generation = generationOf(scope.request);
    let result: StepResult;
    try {
      result = await phase.run(scope, strategyOf(scope.plan));
    } catch (error) {
      const failure = classifyAzureError(error);
      if (failure.kind === "bug") throw error;
      if (failure.kind === "needsPerson")
        result = { outcome: "failed", reason: failure.reason, message: `${failure.message}; ${failure.fix}` };
      else {
        // Throttled, unavailable, busy: never a reason to fail a failover.
        status.message = `${phase.name}: Azure did not answer (${failure.code}); retrying`;
        scope.log.warn(
          { phase: phase.name, code: failure.code, err: failure.message },
          "Azure did not answer; retrying",
        );
        return { reason: "AzureRetrying", recheckMs: failure.retryAfterMs ?? POLL_MS };
      }
    }
    const now = scope.now();
    if (result.outcome === "wait") {
      setStepCondition(
        status,
        { type: phase.condition, status: "False", reason: "InProgress", message: result.message },
        generation,
        now,
      );
      status.message = `${phase.name}: ${result.message}`;
      return { reason: "InProgress", recheckMs: result.recheckMs };
    }
    if (result.outcome === "failed") {
      setStepCondition(
        status,
        { type: phase.condition, status: "False", reason: result.reason, message: result.message },
        generation,
        now,
      );
      this.#fail(scope, result.reason, `${phase.name} failed: ${result.message}`);
      return { reason: result.reason };
    }
    setStepCondition(
      status,
      { type: phase.condition, status: "True", reason: "Done", message: result.message },
      generation,
      now,
    );
    endPhase(status, phase.name, now);
    if (phase.name === "Verifying") {
      // The recovery time: from the request's start until users can work in the target region.
      const rtoMs = now.getTime() - Date.parse(status.startTime ?? metav1Time(now));
      status.rto = formatDuration(rtoMs);
      status.rtoSeconds = Math.round(rtoMs / 1000);
    }
    const next = phases[phases.indexOf(phase) + 1];
    if (next) {
      status.phase = next.name;
      status.message = `${phase.name} done: ${result.message}`;
      startPhase(status, next.name, now);
      return { reason: "InProgress", recheckMs: 0 };
    }
    status.phase = "Succeeded";
    status.completionTime = metav1Time(now);
    status.message = `succeeded${status.rto ? ` in ${status.rto}` : ""}: ${result.message}`;
    return { reason: "Succeeded" };
  }

  #fail(scope: FailoverScope, reason: string, message: string): void {
    const { status } = scope;
    const now = scope.now();
    if (status.phase && status.phase !== "Pending") endPhase(status, status.phase, now);
    status.phase = "Failed";
    status.completionTime = metav1Time(now);
    status.message = message;
    scope.log.warn({ reason, message }, "failover failed");
  }

  /**
   * Writes the status `mutate` makes of the request read at the start of this reconcile, only if
   * nobody wrote since (its resourceVersion): progress only moves forward. Returns the written
   * object, or undefined when another write came first.
   */
  async #write(
    live: FailoverRequest,
    mutate: (status: FailoverRequestStatus) => void,
  ): Promise<FailoverRequest | undefined> {
    let mine = false;
    const written = await this.#d.requestStatus.update(live, (current) => {
      // Decided on each call: after a conflict the writer calls again with the newer object.
      mine = current.metadata.resourceVersion === live.metadata.resourceVersion;
      if (!mine) return undefined;
      const status = structuredClone(current.status ?? {});
      mutate(status);
      status.observedGeneration = generationOf(live);
      return status;
    });
    return mine ? written : undefined;
  }

  async #afterWrite(
    written: FailoverRequest,
    plan: AvdDisasterRecoveryPlan,
    before: FailoverPhase | undefined,
    log: Log,
  ): Promise<void> {
    const phase = written.status?.phase;
    if (!phase || phase === before) return;
    const obj = { ...written, kind: FAILOVER_KIND };
    const message = written.status?.message ?? "";
    log.info({ from: before, to: phase }, "failover phase changed");
    if (isTerminalPhase(phase)) {
      this.#d.events.record(obj, {
        type: phase === "Succeeded" ? "Normal" : "Warning",
        reason: phase,
        action: "Failover",
        note: message,
      });
      if (!written.spec.dryRun) {
        this.#d.metrics?.failoverFinished(written.spec.type, phase === "Succeeded" ? "Succeeded" : "Failed");
        for (const [p, seconds] of Object.entries(phaseSeconds(written.status ?? {})))
          this.#d.metrics?.phaseFinished(p as FailoverPhase, seconds);
      }
      await this.finish(written, plan);
      return;
    }
    this.#d.events.record(obj, { type: "Normal", reason: phase, action: "Failover", note: message });
    await this.#d.planStatus.update(plan, (p) => {
      const active = p.status?.activeFailover;
      if (!active || active.name !== written.metadata.name || active.phase === phase) return undefined;
      return {
        ...p.status,
        activeFailover: {
          ...active,
          phase,
          ...(written.status?.startTime ? { startTime: written.status.startTime } : {}),
        },
      };
    });
  }
}

const generationOf = (r: FailoverRequest) => r.metadata.generation ?? 0;
