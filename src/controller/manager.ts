// The manager runs everything of one operator process: informers (in every replica, so a
// standby has a warm cache), controllers (only while leading), leader election, the health and
// metrics endpoints, and an orderly shutdown.
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import type { Controller } from "./controller.ts";
import { EndpointServer, probe } from "./http-endpoints.ts";
import type { InformerOptions } from "./informer.ts";
import { InformerGroup } from "./informer-group.ts";
import type { ResourceRef } from "./kube-http.ts";
import { type LeaderElectionTimings, LeaderElector } from "./leader-election.ts";
import type { Log } from "./logger.ts";
import type { OperatorMetrics } from "./metrics.ts";

export interface ManagerOptions {
  kc: KubeConfig;
  /** Namespaces to watch; empty for all. */
  namespaces: string[];
  log: Log;
  metrics: OperatorMetrics;
  /** Options every informer gets (timeouts, resync); `transform` is given per resource. */
  informer?: Omit<InformerOptions, "log" | "transform">;
  leaderElection?: Partial<LeaderElectionTimings> & { namespace: string; name: string; identity: string };
  /** Where to serve /healthz and /readyz, and /metrics; undefined turns one off. */
  probeAddress?: { host: string; port: number };
  metricsAddress?: { host: string; port: number };
  /** How long running reconciles may take to finish on SIGTERM. */
  shutdownGraceMs?: number;
  /** Called once leadership is lost: the controllers have stopped; the process should exit. */
  onLostLeadership?: () => void;
}

export class Manager {
  readonly #o: ManagerOptions;
  readonly #informers: InformerGroup<KubernetesObject>[] = [];
  readonly #controllers: Controller[] = [];
  readonly #servers: EndpointServer[] = [];
  readonly #stopLeading = new AbortController();
  #elector: LeaderElector | undefined;
  #leading = false;
  #stopping = false;
  /** Ports actually bound (":0" in tests picks a free one). */
  probePort: number | undefined;
  metricsPort: number | undefined;

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.#setNotLeading();
  }

  informers<T extends KubernetesObject>(
    ref: Omit<ResourceRef, "namespace">,
    options: Pick<InformerOptions<T>, "transform"> = {},
  ): InformerGroup<T> {
    const group = new InformerGroup<T>(this.#o.kc, ref, this.#o.namespaces, {
      ...this.#o.informer,
      ...options,
      log: this.#o.log,
    });
    this.#informers.push(group as unknown as InformerGroup<KubernetesObject>);
    this.#o.metrics.trackInformers(ref.plural, () => group.informers.map((i) => i.stats));
    return group;
  }

  addController(controller: Controller): void {
    this.#controllers.push(controller);
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Starts serving and caching; resolves once this process leads and its controllers run. */
  async start(): Promise<void> {
    await this.#serve();
    for (const group of this.#informers) group.start();
    const le = this.#o.leaderElection;
    if (le) {
      this.#elector = new LeaderElector(this.#o.kc, { ...le, log: this.#o.log });
      if (!(await this.#elector.acquire(this.#stopLeading.signal))) return;
    }
    if (this.#stopping) return;
    this.#leading = true;
    this.#o.metrics.leader.set({ name: le?.name ?? "none" }, 1);
    await Promise.all(this.#controllers.map((c) => c.start()));
    if (this.#elector) void this.#hold(this.#elector);
  }

  /** SIGTERM: take no new work, let running reconciles record their progress, release the lease. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#o.log.info({}, "shutting down");
    this.#stopLeading.abort();
    await Promise.all(this.#controllers.map((c) => c.stop(this.#o.shutdownGraceMs ?? 10_000)));
    await this.#elector?.release();
    this.#setNotLeading();
    await Promise.all(this.#informers.map((g) => g.stop()));
    await Promise.all(this.#servers.map((s) => s.close()));
  }

  async #hold(elector: LeaderElector): Promise<void> {
    const kept = await elector.hold(this.#stopLeading.signal);
    if (kept || this.#stopping) return;
    // Another process may be reconciling already: stop at once, no grace.
    this.#stopping = true;
    this.#setNotLeading();
    await Promise.all(this.#controllers.map((c) => c.stop(0)));
    this.#o.log.error({}, "leader election lost; controllers stopped");
    this.#o.onLostLeadership?.();
  }

  #setNotLeading(): void {
    this.#leading = false;
    this.#o.metrics.leader.set({ name: this.#o.leaderElection?.name ?? "none" }, 0);
  }

  async #serve(): Promise<void> {
    const { probeAddress, metricsAddress, metrics } = this.#o;
    if (probeAddress) {
      const server = new EndpointServer({
        "/healthz": probe({ ping: () => ({ ok: true }) }),
        "/readyz": probe({
          "informers-synced": () => ({
            ok: this.#informers.every((g) => g.synced),
            detail: "waiting for the first list of every watched resource",
          }),
          "not-stopping": () => ({ ok: !this.#stopping, detail: "shutting down" }),
        }),
      });
      this.probePort = await server.listen(probeAddress);
      this.#servers.push(server);
    }
    if (metricsAddress) {
      const server = new EndpointServer({
        "/metrics": { contentType: metrics.registry.contentType, handle: () => metrics.registry.metrics() },
      });
      this.metricsPort = await server.listen(metricsAddress);
      this.#servers.push(server);
    }
    this.#o.log.info({ probePort: this.probePort, metricsPort: this.metricsPort }, "serving endpoints");
  }
}
