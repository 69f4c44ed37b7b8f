// Everything the emulator holds while it runs, rebuilt from the topology on reset.
import { SimClock, Timeline } from "./clock.ts";
import { ComputeThrottling } from "./compute-throttling.ts";
import { Faults } from "./faults.ts";
import { OperationEngine } from "./operations.ts";
import type { SimContext } from "./provider.ts";
import { AuditLog, CallCounters } from "./records.ts";
import { SiteRecovery } from "./site-recovery/model.ts";
import { Throttling } from "./throttling.ts";
import type { Topology } from "./topology.ts";
import { World } from "./world.ts";

export class SimState implements SimContext {
  readonly topology: Topology;
  readonly clock: SimClock;
  readonly timeline: Timeline;
  readonly operations: OperationEngine;
  readonly counters = new CallCounters();
  readonly audit = new AuditLog();
  readonly pageSize: number;
  readonly throttling: Throttling;
  readonly computeThrottling: ComputeThrottling;
  readonly faults: Faults;
  #world: World;
  #siteRecovery: SiteRecovery;

  constructor(topology: Topology, timeScale: number) {
    this.topology = topology;
    this.clock = new SimClock(new Date(topology.startTime ?? "2026-11-26T08:00:00Z"), timeScale);
    this.timeline = new Timeline(this.clock);
    this.operations = new OperationEngine(this.timeline);
    this.pageSize = topology.pageSize ?? 100;
    this.throttling = new Throttling(this.clock, topology.throttling);
    this.computeThrottling = new ComputeThrottling(this.clock, topology.computeThrottling);
    this.faults = new Faults(this.timeline, topology.faults);
    this.#world = this.#newWorld();
    this.#siteRecovery = new SiteRecovery(this, topology.siteRecovery, this.faults);
  }

  get world(): World {
    return this.#world;
  }

  get siteRecovery(): SiteRecovery {
    return this.#siteRecovery;
  }

  #newWorld(): World {
    return new World(
      this.topology,
      this.timeline,
      (location) => this.faults.regionDownSince(location) !== undefined,
    );
  }

  reset(): void {
    this.clock.restart();
    this.timeline.clear();
    this.operations.clear();
    this.counters.clear();
    this.audit.clear();
    this.throttling.reset();
    this.computeThrottling.reset();
    this.faults.reset();
    this.#world = this.#newWorld();
    this.#siteRecovery = new SiteRecovery(this, this.topology.siteRecovery, this.faults);
  }
}
