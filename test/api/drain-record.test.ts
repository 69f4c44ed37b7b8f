// status.drain read and written through one module: each session once, batches by position.
import { describe, expect, it } from "vitest";
import {
  type DrainRecord,
  drainHistory,
  parseSessionKey,
  sessionKey,
  sessionSignInTime,
  withEnded,
  withNotified,
} from "../../src/api/index.ts";

const key = (n: number) =>
  sessionKey({ host: `vm-${n}.contoso.local`, sessionId: "2", user: `u${n}@contoso.com` });

describe("the drain record", () => {
  it("keeps each session once, in notice order, with its times", () => {
    let record: DrainRecord = {};
    record = withNotified(record, [key(1), key(2)], "2026-11-26T08:00:10Z");
    record = withNotified(record, [key(2), key(3)], "2026-11-26T08:00:20Z");
    record = withEnded(record, "loggedOff", [key(1)], "2026-11-26T08:10:10Z");
    record = withEnded(record, "signedOut", [key(3), "never-notified"], "2026-11-26T08:05:00Z");
    expect(record.sessions).toEqual([key(1), key(2), key(3)]);
    expect(record.notified).toEqual([
      { at: "2026-11-26T08:00:10Z", count: 2 },
      { at: "2026-11-26T08:00:20Z", count: 1 },
    ]);
    expect(drainHistory(record)).toEqual([
      {
        key: key(1),
        notifiedAt: Date.parse("2026-11-26T08:00:10Z"),
        loggedOffAt: Date.parse("2026-11-26T08:10:10Z"),
      },
      { key: key(2), notifiedAt: Date.parse("2026-11-26T08:00:10Z") },
      {
        key: key(3),
        notifiedAt: Date.parse("2026-11-26T08:00:20Z"),
        signedOutAt: Date.parse("2026-11-26T08:05:00Z"),
      },
    ]);
  });

  it("tells two sign-ins with the same session id apart by their sign-in time", () => {
    const first = sessionKey({
      host: "h",
      sessionId: "3",
      user: "a@c",
      createTime: new Date("2026-11-26T07:00:00Z"),
    });
    const again = sessionKey({
      host: "h",
      sessionId: "3",
      user: "a@c",
      createTime: new Date("2026-11-26T08:30:00Z"),
    });
    expect(first).not.toBe(again);
    expect(parseSessionKey(first)).toEqual({ host: "h", sessionId: "3", user: "a@c" });
    expect(sessionSignInTime(first)).toEqual(new Date("2026-11-26T07:00:00Z"));
    expect(sessionSignInTime(key(1))).toBeUndefined();
  });
});
