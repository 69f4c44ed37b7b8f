// Everything the emulator holds while it runs, rebuilt from the topology on reset.
import { SimClock, Timeline } from "./clock.ts";
import { OperationEngine } from "./operations.ts";
import type { SimContext } from "./provider.ts";
import { AuditLog, CallCounters } from "./records.ts";
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
  #world: World;

  constructor(topology: Topology, timeScale: number) {
    this.topology = topology;
    this.clock = new SimClock(new Date(topology.startTime ?? "2026-11-26T08:00:00Z"), timeScale);
    this.timeline = new Timeline(this.clock);
    this.operations = new OperationEngine(this.timeline);
    this.pageSize = topology.pageSize ?? 100;
    this.#world = new World(topology, this.timeline);
  }

  get world(): World {
    return this.#world;
  }

  reset(): void {
    this.clock.restart();
    this.timeline.clear();
    this.operations.clear();
    this.counters.clear();
    this.audit.clear();
    this.#world = new World(this.topology, this.timeline);
  }
}
