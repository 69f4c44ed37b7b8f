// The condition helpers own Kubernetes' semantics: lastTransitionTime moves only when status
// changes, and every write records the generation it was computed from.
import { describe, expect, it } from "vitest";
import { type Condition, getCondition, isTrue, setCondition } from "../../src/api/conditions.ts";

const t0 = new Date("2026-11-26T09:00:00.123Z");
const t1 = new Date("2026-11-26T09:05:00Z");

describe("setCondition", () => {
  it("adds a new condition with second-precision transition time and observedGeneration", () => {
    const out = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Draining", message: "m" },
      4,
      t0,
    );
    expect(out).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Draining",
        message: "m",
        observedGeneration: 4,
        lastTransitionTime: "2026-11-26T09:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime when only reason, message or generation change", () => {
    const first = setCondition(
      [],
      { type: "Protected", status: "True", reason: "Replicating", message: "a" },
      1,
      t0,
    );
    const second = setCondition(
      first,
      { type: "Protected", status: "True", reason: "RpoMet", message: "b" },
      2,
      t1,
    );
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({
      reason: "RpoMet",
      message: "b",
      observedGeneration: 2,
      lastTransitionTime: "2026-11-26T09:00:00Z",
    });
  });

  it("moves lastTransitionTime when status changes", () => {
    const first = setCondition(
      [],
      { type: "Protected", status: "True", reason: "RpoMet", message: "" },
      1,
      t0,
    );
    const second = setCondition(
      first,
      { type: "Protected", status: "False", reason: "RpoExceeded", message: "" },
      1,
      t1,
    );
    expect(second[0]?.lastTransitionTime).toBe("2026-11-26T09:05:00Z");
  });

  it("leaves the input list and the other conditions untouched, in their order", () => {
    let list: Condition[] = [];
    list = setCondition(list, { type: "Ready", status: "True", reason: "Ok", message: "" }, 1, t0);
    list = setCondition(list, { type: "Stalled", status: "False", reason: "Ok", message: "" }, 1, t0);
    const before = structuredClone(list);
    const after = setCondition(list, { type: "Ready", status: "False", reason: "Lost", message: "" }, 2, t1);
    expect(list).toEqual(before);
    expect(after.map((c) => c.type)).toEqual(["Ready", "Stalled"]);
    expect(after[1]).toBe(list[1]);
  });
});

describe("getCondition and isTrue", () => {
  const list = setCondition(
    setCondition([], { type: "Ready", status: "True", reason: "Ok", message: "" }, 1, t0),
    { type: "Stalled", status: "Unknown", reason: "Checking", message: "" },
    1,
    t0,
  );

  it("find a condition by type", () => {
    expect(getCondition(list, "Stalled")?.reason).toBe("Checking");
    expect(getCondition(list, "Protected")).toBeUndefined();
    expect(getCondition(undefined, "Ready")).toBeUndefined();
  });

  it("treat only status True as true", () => {
    expect(isTrue(list, "Ready")).toBe(true);
    expect(isTrue(list, "Stalled")).toBe(false);
    expect(isTrue(list, "Protected")).toBe(false);
    expect(isTrue(undefined, "Ready")).toBe(false);
  });
});
