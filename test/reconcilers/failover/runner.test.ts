// The failover runner over fake gateways and an in-memory API server: how a request starts, what
// ends it, what only waits, how its status is written, and how a finished request releases its
// plan.
import { describe, expect, it } from "vitest";
import { type FailoverRequestStatus, getCondition, metav1Time } from "../../../src/api/index.ts";
import { AzureError } from "../../../src/azure/errors.ts";
import { runnerOver } from "./fake-kubernetes.ts";
import {
  isWrite,
  siteRecovery,
  siteRecoveryDeployment,
  standbyDeployment,
  standbyHostsReport,
  TestClock,
} from "./fakes.ts";

const START = new TestClock().now();
const minutesBefore = (minutes: number) => metav1Time(new Date(START.getTime() - minutes * 60_000));

/** A request whose drain and failover are done, verifying since a minute before the test's now. */
function verifying(startedMinutesAgo: number): FailoverRequestStatus {
  return {
    phase: "Verifying",
    startTime: minutesBefore(startedMinutesAgo),
    fromRegion: "Primary",
    toRegion: "Secondary",
    phases: [{ phase: "Verifying", startTime: minutesBefore(1) }],
  };
}

describe("failover runner: starting", () => {
  it("moves a Pending request to its first phase, recording where it goes and when it started", async () => {
    const azure = standbyDeployment();
    azure.dv.signIn("vm-a.contoso.local", "alice@contoso.com");
    const h = runnerOver(azure);
    const outcome = await h.reconcile();
    const { status } = await h.request();
    expect(status).toMatchObject({
      phase: "Draining",
      fromRegion: "Primary",
      toRegion: "Secondary",
      startTime: metav1Time(START),
      phases: [{ phase: "Draining", startTime: metav1Time(START) }],
    });
    expect(getCondition(status?.conditions, "Reconciling")?.status).toBe("True");
    expect(azure.dv.calls).toContain("notify vm-a.contoso.local/1");
    expect((await h.plan()).status?.activeFailover?.phase).toBe("Draining");
    expect(h.events).toContainEqual(expect.objectContaining({ type: "Normal", reason: "Draining" }));
    expect(outcome).toEqual({ requeueAfterMs: 60_000 });
  });

  it("fails a failover towards the region already active before any Azure call, naming the way back", async () => {
    const azure = standbyDeployment();
    const h = runnerOver(azure, { planStatus: { activeRegion: "Secondary" } });
    await h.reconcile();
    const request = await h.request();
    expect(request.status?.phase).toBe("Failed");
    expect(request.status?.message).toMatch(
      /already active in its secondary region .*create a FailoverRequest with direction ToPrimary/,
    );
    expect(getCondition(request.status?.conditions, "Stalled")).toMatchObject({
      status: "True",
      reason: "WrongDirection",
    });
    expect(azure.calls()).toEqual([]);
    const { status } = await h.plan();
    expect(status).toMatchObject({
      activeRegion: "Secondary",
      lastFailover: { name: "to-neu", phase: "Failed" },
    });
    expect(status?.activeFailover).toBeUndefined();
    expect(request.metadata.finalizers).toEqual([]);
  });

  it("fails a SiteRecovery drill without spec.testNetworkId before any Azure call", async () => {
    const azure = siteRecoveryDeployment(2);
    const h = runnerOver(azure, { plan: siteRecovery, spec: { type: "Test" } });
    await h.reconcile();
    const request = await h.request();
    expect(request.status?.phase).toBe("Failed");
    expect(request.status?.message).toMatch(
      /needs spec.testNetworkId: the resource id of an isolated virtual network/,
    );
    expect(getCondition(request.status?.conditions, "Stalled")?.reason).toBe("TestNetworkRequired");
    expect(azure.calls()).toEqual([]);
  });
});

describe("failover runner: status writes and errors", () => {
  it("changes nothing when another write got in first, and looks again at once", async () => {
    const azure = standbyDeployment();
    azure.dv.signIn("vm-a.contoso.local", "alice@contoso.com");
    const h = runnerOver(azure);
    h.requests.interleave((other) => {
      other.status = { ...other.status, message: "written by another reconcile" };
    });
    const outcome = await h.reconcile();
    expect(outcome).toEqual({ requeueAfterMs: 0 });
    const { status } = await h.request();
    expect(status).toEqual({ phase: "Pending", message: "written by another reconcile" });
    expect(h.events).toEqual([]);
    expect((await h.plan()).status?.activeFailover?.phase).toBe("Pending");
  });

  it("never fails a request when Azure does not answer (429, 503): it says so and looks again after Retry-After", async () => {
    const azure = standbyDeployment();
    const h = runnerOver(azure);
    azure.dv.failWith = {
      match: /^list hosts/,
      error: new AzureError("too many requests", "SubscriptionRequestsThrottled", 429, 7_000),
    };
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 7_000 });
    azure.dv.failWith = {
      match: /^list hosts/,
      error: new AzureError("unavailable", "ServiceUnavailable", 503),
    };
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 10_000 });
    const { status } = await h.request();
    expect(status).toMatchObject({
      phase: "Draining",
      message: "Draining: Azure did not answer (ServiceUnavailable); retrying",
    });
    expect(getCondition(status?.conditions, "Reconciling")?.reason).toBe("AzureRetrying");

    azure.dv.failWith = undefined;
    await h.reconcile();
    expect(azure.dv.calls).toContain("drain vm-a.contoso.local");
  });

  /** One reconcile of a planned failover in which Azure answers 403 to the calls that match. */
  async function forbidden(match: RegExp, message: string): Promise<FailoverRequestStatus | undefined> {
    const azure = standbyDeployment();
    azure.dv.failWith = { match, error: new AzureError(message, "AuthorizationFailed", 403) };
    const h = runnerOver(azure);
    await h.reconcile();
    return (await h.request()).status;
  }

  it("fails a request when Azure refuses part of the drain for good, saying what to do", async () => {
    const status = await forbidden(/^drain /, "no permission to write session hosts");
    expect(status?.phase).toBe("Failed");
    expect(status?.message).toMatch(
      /hp-weu\/vm-a.contoso.local: no permission to write session hosts; give the operator's principal the role in config\/azure\/role.json/,
    );
    expect(getCondition(status?.conditions, "Drained")).toMatchObject({
      status: "False",
      reason: "DrainRefused",
    });
    expect(getCondition(status?.conditions, "Stalled")?.status).toBe("True");
  });

  it("fails a request on an error only a person can fix, with the fix", async () => {
    const status = await forbidden(/^list hosts/, "the client has no access to host pools");
    expect(status?.phase).toBe("Failed");
    expect(status?.message).toMatch(
      /the client has no access to host pools; give the operator's principal the role in config\/azure\/role.json/,
    );
    expect(getCondition(status?.conditions, "Stalled")?.reason).toBe("AzureAuthorizationFailed");
  });
});

describe("failover runner: finishing", () => {
  it("sets the RTO when verify is done, from the request's start, and goes on to commit", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.hostsOnReplicas();
    const h = runnerOver(azure, { plan: siteRecovery, status: verifying(12) });
    h.clock.advance(4);
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 0 });
    const { status } = await h.request();
    expect(status).toMatchObject({ phase: "Committing", rto: "12m4s", rtoSeconds: 724 });
    expect(status?.completionTime).toBeUndefined();
    expect(getCondition(status?.conditions, "Verified")?.status).toBe("True");
  });

  it("Succeeded releases the plan: activeRegion flips, lastFailover is recorded, the finalizer goes; again, nothing changes", async () => {
    const azure = standbyDeployment();
    standbyHostsReport(azure, "Available");
    const h = runnerOver(azure, { status: verifying(5) });
    const cached = await h.plan();
    expect(await h.reconcile()).toBeUndefined();
    const request = await h.request();
    expect(request.status?.phase).toBe("Succeeded");
    expect(getCondition(request.status?.conditions, "Ready")?.status).toBe("True");
    expect(request.metadata.finalizers).toEqual([]);
    const released = await h.plan();
    expect(released.status).toMatchObject({
      activeRegion: "Secondary",
      lastFailover: { name: "to-neu", phase: "Succeeded", type: "Planned", rto: "5m0s" },
    });
    expect(released.status?.activeFailover).toBeUndefined();
    expect(h.finished).toEqual(["Planned Succeeded"]);

    // A restart that finds the request finished releases again, from a cache that may lag.
    await h.runner.finish(request, cached);
    await h.reconcile();
    expect(await h.plan()).toEqual(released);
    expect(await h.request()).toEqual(request);
  });

  it("a drill that succeeds leaves the plan active where it was", async () => {
    const azure = standbyDeployment();
    const h = runnerOver(azure, {
      spec: { type: "Test" },
      status: {
        ...verifying(5),
        phase: "CleaningUp",
        phases: [{ phase: "CleaningUp", startTime: minutesBefore(1) }],
      },
    });
    await h.reconcile();
    expect((await h.request()).status?.phase).toBe("Succeeded");
    const { status } = await h.plan();
    expect(status?.activeRegion).toBeUndefined();
    expect(status?.lastFailover).toMatchObject({ name: "to-neu", phase: "Succeeded", type: "Test" });
  });

  it("a dry run sends no write to Azure and ends Succeeded with what it would do", async () => {
    const azure = standbyDeployment();
    azure.dv.signIn("vm-a.contoso.local", "alice@contoso.com");
    azure.dv.signIn("vm-b.contoso.local", "bob@contoso.com", "Disconnected");
    const h = runnerOver(azure, { spec: { dryRun: true } });
    expect(await h.reconcile()).toBeUndefined();
    const { status } = await h.request();
    expect(status?.phase).toBe("Succeeded");
    expect(status?.message).toMatch(/^dry run: nothing was changed/);
    expect(status?.preview).toMatchObject({
      hostsToDrain: 2,
      sessionsToNotify: 2,
      vmsToStart: 2,
      // 2 drain-mode writes, 2 notices, 2 log-offs, 2 starts, 2 hosts opened
      armWrites: 10,
    });
    expect(azure.calls().filter(isWrite)).toEqual([]);
    const plan = await h.plan();
    expect(plan.status?.activeRegion).toBeUndefined();
    expect(plan.status?.lastFailover).toBeUndefined();
    expect(plan.status?.activeFailover).toBeUndefined();
    expect(h.finished).toEqual([]);
  });
});
