// The operator's Prometheus metrics, in one registry per process (so tests can run several).
// Names follow controller-runtime's where it has one, so existing dashboards work.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { InformerStats } from "./informer.ts";
import type { QueueObserver } from "./workqueue.ts";

export type ReconcileResult = "success" | "error" | "requeue_after" | "terminal";

/** What the Azure gateways call once per ARM request; a plain function, so src/azure needs no prom-client. */
export type AzureRequestRecorder = (kind: string, result: "ok" | "not_found" | "throttled" | "error") => void;

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({
    name: "controller_runtime_reconcile_total",
    help: "Reconciles per controller and result.",
    labelNames: ["controller", "result"] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: "controller_runtime_reconcile_errors_total",
    help: "Reconciles that failed, per controller.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: "controller_runtime_reconcile_time_seconds",
    help: "How long one reconcile took, per controller.",
    labelNames: ["controller"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "workqueue_depth",
    help: "Keys waiting in the work queue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: "workqueue_adds_total",
    help: "Keys added to the work queue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long a key waited in the queue before a worker took it.",
    labelNames: ["name"] as const,
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: "workqueue_retries_total",
    help: "Keys requeued with backoff after a failed reconcile.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "leader_election_master_status",
    help: "1 while this process holds the leader lease.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  /** Incremented by the Azure gateways: one per ARM request, by kind (e.g. listSessionHosts) and result. */
  readonly azureRequests = new Counter({
    name: "avddr_azure_requests_total",
    help: "Azure Resource Manager requests by kind and result (ok, not_found, throttled, error).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });
  readonly recordAzureRequest: AzureRequestRecorder = (kind, result) =>
    this.azureRequests.inc({ kind, result });
  readonly planFailoverReady = new Gauge({
    name: "avddr_plan_failover_ready",
    help: "1 when the plan's FailoverReady condition is True, 0 otherwise.",
    labelNames: ["namespace", "plan"] as const,
    registers: [this.registry],
  });
  readonly planWorstRpo = new Gauge({
    name: "avddr_plan_worst_rpo_seconds",
    help: "Largest replication lag of the plan's session-host VMs (SiteRecovery).",
    labelNames: ["namespace", "plan"] as const,
    registers: [this.registry],
  });

  /** A plan's readiness and worst RPO as last observed. */
  observePlan(key: string, readiness: { failoverReady: boolean; worstRpoSeconds?: number }): void {
    const labels = planLabels(key);
    this.planFailoverReady.set(labels, readiness.failoverReady ? 1 : 0);
    if (readiness.worstRpoSeconds === undefined) this.planWorstRpo.remove(labels);
    else this.planWorstRpo.set(labels, readiness.worstRpoSeconds);
  }

  /** A deleted plan leaves no series behind. */
  forgetPlan(key: string): void {
    const labels = planLabels(key);
    this.planFailoverReady.remove(labels);
    this.planWorstRpo.remove(labels);
  }

  readonly failovers = new Counter({
    name: "avddr_failovers_total",
    help: "FailoverRequests finished, by type (Planned, Unplanned, Test) and result (Succeeded, Failed).",
    labelNames: ["type", "result"] as const,
    registers: [this.registry],
  });
  readonly failoverPhaseSeconds = new Histogram({
    name: "avddr_failover_phase_duration_seconds",
    help: "How long each phase of a finished FailoverRequest took, on the operator's clock.",
    labelNames: ["phase"] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [this.registry],
  });
  readonly failoverMetrics = {
    failoverFinished: (type: string, result: string) => this.failovers.inc({ type, result }),
    phaseFinished: (phase: string, seconds: number) => this.failoverPhaseSeconds.observe({ phase }, seconds),
  };

  readonly statusConflicts = new Counter({
    name: "avddr_status_conflicts_total",
    help: "Status writes that met a newer resourceVersion and were retried.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });

  readonly #informerStats = new Map<string, () => InformerStats[]>();
  readonly informerOperations = new Counter({
    name: "avddr_informer_operations_total",
    help: "Informer lists, watches, 410 Gone answers (each followed by a re-list) and failed list/watch calls, per resource.",
    labelNames: ["resource", "operation"] as const,
    registers: [this.registry],
    collect: () => {
      this.informerOperations.reset();
      for (const [resource, stats] of this.#informerStats) {
        for (const s of stats()) {
          for (const operation of ["lists", "watches", "gone", "errors"] as const) {
            this.informerOperations.inc({ resource, operation }, s[operation]);
          }
        }
      }
    },
  });

  /** Reports the informers of one resource, read at each scrape. */
  trackInformers(resource: string, stats: () => InformerStats[]): void {
    this.#informerStats.set(resource, stats);
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  queueObserver(name: string): QueueObserver {
    // Series exist from the start, so dashboards show an empty queue rather than no data.
    this.queueDepth.set({ name }, 0);
    this.queueAdds.inc({ name }, 0);
    this.queueRetries.inc({ name }, 0);
    return {
      depth: (d) => this.queueDepth.set({ name }, d),
      added: () => this.queueAdds.inc({ name }),
      latency: (ms) => this.queueLatency.observe({ name }, ms / 1000),
      retried: () => this.queueRetries.inc({ name }),
    };
  }
}

function planLabels(key: string): { namespace: string; plan: string } {
  const [namespace = "", plan = ""] = key.split("/");
  return { namespace, plan };
}
