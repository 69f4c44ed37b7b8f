// Durations in the API are Go duration strings; code converts them with these two helpers.
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/api/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["0s", 0],
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2h45m30s", 9_930_000],
    ["250ms", 250],
    ["168h", 604_800_000],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "0", "-5m", "1d", "10", "5 m", "m", "1h 30m", "1.h"])(
    "refuses %j, saying how to write one",
    (text) => {
      expect(() => parseDuration(text)).toThrow("write it like 90s, 15m or 1h30m");
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [4_400, "4s"],
    [724_000, "12m4s"],
    [60_000, "1m0s"],
    [3_600_000, "1h0m0s"],
    [5_430_000, "1h30m30s"],
    [-5, "0s"],
  ])("writes %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration to the second", () => {
    for (const ms of [0, 1_000, 59_000, 61_000, 3_599_000, 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
