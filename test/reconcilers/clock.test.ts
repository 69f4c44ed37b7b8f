// The reconcilers' clock: the wall clock, or the emulator's scaled one.
import { describe, expect, it } from "vitest";
import { scaledClock, systemClock } from "../../src/reconcilers/clock.ts";

describe("clocks", () => {
  it("the system clock is the wall clock and waits what it is asked", () => {
    const before = Date.now();
    expect(systemClock.now().getTime()).toBeGreaterThanOrEqual(before);
    expect(systemClock.toRealMs(1500)).toBe(1500);
  });

  it("a scaled clock runs from its anchor at its time scale, and its waits shrink with it", () => {
    let real = 1_000_000;
    const clock = scaledClock(
      { clockMs: Date.parse("2026-11-26T08:00:00Z"), realMs: 1_000_000, timeScale: 0.01 },
      () => real,
    );
    expect(clock.now().toISOString()).toBe("2026-11-26T08:00:00.000Z");
    real += 600; // 0.6 real seconds are a simulated minute
    expect(clock.now().toISOString()).toBe("2026-11-26T08:01:00.000Z");
    expect(clock.toRealMs(30_000)).toBe(300);
    expect(() => scaledClock({ clockMs: 0, realMs: 0, timeScale: 0 })).toThrow(/positive/);
  });
});
