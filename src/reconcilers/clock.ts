// The reconcilers' time. Against Azure it is the wall clock; against the ARM emulator running
// at a time scale it is the emulator's simulated clock, so that grace periods, timeouts,
// recorded times and polling intervals keep Azure's proportions. Tests hand in their own.

export interface Clock {
  /** Now, on this clock. */
  now(): Date;
  /** How many real milliseconds `ms` of this clock's time last (a requeue delay, a wait). */
  toRealMs(ms: number): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  toRealMs: (ms) => ms,
};

/** Where a scaled clock stood at one real instant, and how fast it runs. */
export interface ClockAnchor {
  /** The clock's time (epoch ms) at `realMs`. */
  clockMs: number;
  /** A wall-clock instant (epoch ms). */
  realMs: number;
  /** Real ms per clock ms: 0.01 runs a hundred times faster than real time. */
  timeScale: number;
}

/** A clock that runs `timeScale` real ms per ms from its anchor (the emulator's simulated clock). */
export function scaledClock(anchor: ClockAnchor, realNow: () => number = Date.now): Clock {
  if (!(anchor.timeScale > 0))
    throw new Error(`timeScale must be a positive number, got ${anchor.timeScale}`);
  return {
    now: () => new Date(anchor.clockMs + (realNow() - anchor.realMs) / anchor.timeScale),
    toRealMs: (ms) => Math.max(0, Math.ceil(ms * anchor.timeScale)),
  };
}
