// The emulator's time: simulated time runs 1/timeScale as fast as real time, and events on
// the timeline apply in time order at their own instant, however late they are noticed.
import { describe, expect, it } from "vitest";
import { SimClock, Timeline } from "../../src/sim/clock.ts";

describe("timeline", () => {
  it("applies due events in time order, each seeing its own instant", async () => {
    const clock = new SimClock(new Date("2026-11-26T08:00:00Z"), 0.001);
    const timeline = new Timeline(clock);
    const start = clock.now();
    const seen: [string, number][] = [];
    timeline.at(start + 3000, () => seen.push(["third", timeline.now() - start]));
    timeline.at(start + 1000, () => {
      seen.push(["first", timeline.now() - start]);
      // Chained from an event: relative to the event's instant, not to when it was noticed.
      timeline.after(1500, () => seen.push(["chained", timeline.now() - start]));
    });
    timeline.at(start + 864_000_000, () => seen.push(["ten days later", 0]));
    await new Promise((r) => setTimeout(r, 10)); // 10 real ms = 10 simulated seconds
    timeline.advance();
    expect(seen).toEqual([
      ["first", 1000],
      ["chained", 2500],
      ["third", 3000],
    ]);
    expect(timeline.pending).toBe(1);
  });

  it("refuses a time scale that is not positive", () => {
    expect(() => new SimClock(new Date(), 0)).toThrow("timeScale must be a positive number");
  });
});
