// The drain phase on its own, with a fake host pool and a clock the test moves: who is told,
// when each user is logged off, and what survives a restart.
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, drainHistory } from "../../../src/api/index.ts";
import { AzureError } from "../../../src/azure/errors.ts";
import { drain, userSessionKey } from "../../../src/reconcilers/failover/phases/drain.ts";
import { FakeDesktopVirtualization, fakeScope, TestClock } from "./fakes.ts";

function pool() {
  const dv = new FakeDesktopVirtualization();
  dv.addHost("vm-a.contoso.local");
  dv.addHost("vm-b.contoso.local");
  const alice = dv.signIn("vm-a.contoso.local", "alice@contoso.com");
  const bob = dv.signIn("vm-a.contoso.local", "bob@contoso.com", "Disconnected");
  const carol = dv.signIn("vm-b.contoso.local", "carol@contoso.com");
  return { dv, alice, bob, carol };
}

const notices = (dv: FakeDesktopVirtualization) => dv.calls.filter((c) => c.startsWith("notify"));
const logOffs = (dv: FakeDesktopVirtualization) => dv.calls.filter((c) => c.startsWith("logoff"));

describe("drain", () => {
  it("puts every host in drain mode and tells every Active and Disconnected user, logging nobody off yet", async () => {
    const { dv } = pool();
    dv.signIn("vm-b.contoso.local", "dave@contoso.com", "Pending");
    const scope = fakeScope(dv);
    const result = await drain(scope);
    expect(result.outcome).toBe("wait");
    expect([...dv.hosts.values()].every((h) => !h.allowNewSession)).toBe(true);
    expect(notices(dv)).toHaveLength(3);
    expect(logOffs(dv)).toEqual([]);
    expect(scope.status.drain?.notified?.[0]?.count).toBe(3);
    expect(scope.status.drain?.sessions).toHaveLength(3);
    expect(scope.status.counters).toMatchObject({
      hostsDrained: 2,
      sessionsNotified: 3,
      sessionsLoggedOff: 0,
    });
    // The next look is when the first log-off is due: the grace period, on the request's clock.
    expect(result.outcome === "wait" && result.recheckMs).toBe(60_000);
  });

  it("logs each user off no earlier than their own notice plus the grace period", async () => {
    const { dv } = pool();
    const clock = new TestClock();
    const scope = fakeScope(dv, { clock });
    await drain(scope);
    clock.advance(599);
    const early = await drain(fakeScope(dv, { clock, status: scope.status }));
    expect(early.outcome).toBe("wait");
    expect(logOffs(dv)).toEqual([]);
    clock.advance(1);
    const due = fakeScope(dv, { clock, status: scope.status });
    await drain(due);
    expect(logOffs(dv)).toHaveLength(3);
    expect(due.status.counters?.sessionsLoggedOff).toBe(3);
    const last = await drain(fakeScope(dv, { clock, status: due.status }));
    expect(last.outcome).toBe("done");
  });

  it("after a restart that lost the record of a notice, tells that user again and gives the full grace period", async () => {
    const { dv, carol } = pool();
    const clock = new TestClock();
    const first = fakeScope(dv, { clock });
    await drain(first);
    // The status write of that pass never happened for carol: her notice time is unknown.
    const record = first.status.drain!;
    record.sessions!.splice(record.sessions!.indexOf(userSessionKey(carol)), 1);
    record.notified![0]!.count -= 1;
    clock.advance(300);
    await drain(fakeScope(dv, { clock, status: first.status }));
    expect(notices(dv).filter((c) => c.endsWith(`/${carol.sessionId}`))).toHaveLength(2);
    clock.advance(300); // alice and bob: 600 s after their notice; carol: 300 s after her second
    await drain(fakeScope(dv, { clock, status: first.status }));
    expect(logOffs(dv).some((c) => c.endsWith(`/${carol.sessionId}`))).toBe(false);
    expect(logOffs(dv)).toHaveLength(2);
    clock.advance(300);
    await drain(fakeScope(dv, { clock, status: first.status }));
    expect(logOffs(dv).some((c) => c.endsWith(`/${carol.sessionId}`))).toBe(true);
  });

  it("catches a user who signs in during the drain and handles them the same way", async () => {
    const { dv } = pool();
    const clock = new TestClock();
    const scope = fakeScope(dv, { clock });
    await drain(scope);
    clock.advance(120);
    const erin = dv.signIn("vm-b.contoso.local", "erin@contoso.com", "Active", clock.now());
    await drain(fakeScope(dv, { clock, status: scope.status }));
    expect(notices(dv).some((c) => c.endsWith(`/${erin.sessionId}`))).toBe(true);
    clock.advance(480);
    await drain(fakeScope(dv, { clock, status: scope.status }));
    expect(logOffs(dv).some((c) => c.endsWith(`/${erin.sessionId}`))).toBe(false);
    clock.advance(120);
    await drain(fakeScope(dv, { clock, status: scope.status }));
    expect(logOffs(dv).some((c) => c.endsWith(`/${erin.sessionId}`))).toBe(true);
  });

  it("records users who sign out by themselves, and under WaitForLogOff never logs anyone off", async () => {
    const { dv } = pool();
    const clock = new TestClock();
    const waitForLogOff = (p: AvdDisasterRecoveryPlan) => {
      p.spec.drain = { logOffPolicy: "WaitForLogOff", gracePeriod: "1m" };
    };
    const scope = fakeScope(dv, { clock, plan: waitForLogOff });
    await drain(scope);
    dv.signOut("alice@contoso.com");
    clock.advance(3600);
    const next = fakeScope(dv, {
      clock,
      status: scope.status,
      plan: waitForLogOff,
    });
    const result = await drain(next);
    expect(logOffs(dv)).toEqual([]);
    expect(
      drainHistory(next.status.drain)
        .filter((h) => h.signedOutAt)
        .map((h) => h.key),
    ).toEqual([expect.stringContaining("alice@contoso.com")]);
    // verify.timeout (30m by default) has passed since the drain began.
    expect(result.outcome).toBe("failed");
    expect(result.outcome === "failed" && result.message).toMatch(
      /2 user\(s\) are still signed in: bob@contoso.com on vm-a.contoso.local, carol@contoso.com on vm-b.contoso.local/,
    );
  });

  it("paces its work in passes and looks again at once while there is more to send", async () => {
    const dv = new FakeDesktopVirtualization();
    dv.addHost("vm-a.contoso.local");
    for (let i = 0; i < 250; i++) dv.signIn("vm-a.contoso.local", `user${i}@contoso.com`);
    const scope = fakeScope(dv);
    const result = await drain(scope);
    expect(notices(dv)).toHaveLength(200);
    expect(result).toMatchObject({ outcome: "wait", recheckMs: 0 });
    expect(scope.status.totals).toEqual({ hosts: 1, sessions: 250 });
  });

  it("Unplanned: tells users if it can, logs nobody off, and goes on when the region cannot be reached", async () => {
    const { dv } = pool();
    const reachable = fakeScope(dv, { spec: { type: "Unplanned", acknowledgeDataLoss: true } });
    expect((await drain(reachable)).outcome).toBe("done");
    expect(notices(dv)).toHaveLength(3);
    expect(logOffs(dv)).toEqual([]);

    const down = new FakeDesktopVirtualization();
    down.addHost("vm-a.contoso.local");
    down.failWith = {
      match: /list sessions/,
      error: new AzureError("region down", "RegionUnavailable", 503),
    };
    const scope = fakeScope(down, { spec: { type: "Unplanned", acknowledgeDataLoss: true } });
    const result = await drain(scope);
    expect(result.outcome).toBe("done");
    expect(scope.status.drain?.skipped).toMatch(/could not be drained: region down/);
  });

  it("retries a notice Azure did not answer after a pause, and fails on one it refuses for good", async () => {
    const { dv } = pool();
    dv.failWith = {
      match: /notify/,
      error: new AzureError("throttled", "SubscriptionRequestsThrottled", 429),
    };
    const throttled = await drain(fakeScope(dv));
    expect(throttled).toMatchObject({ outcome: "wait", recheckMs: 5000 });
    dv.failWith = { match: /notify/, error: new AzureError("forbidden", "AuthorizationFailed", 403) };
    const refused = await drain(fakeScope(dv));
    expect(refused.outcome).toBe("failed");
  });
});
