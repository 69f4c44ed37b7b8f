// The verify phase on its own, with fake gateways and a clock the test moves: when the target
// region counts as serving users, and the evidence a request that cannot verify leaves behind.
import { describe, expect, it } from "vitest";
import { failover } from "../../../src/reconcilers/failover/phases/failover.ts";
import { verify } from "../../../src/reconcilers/failover/phases/verify.ts";
import { siteRecoveryStrategy } from "../../../src/reconcilers/failover/strategies/site-recovery.ts";
import { standbyStrategy } from "../../../src/reconcilers/failover/strategies/standby.ts";
import {
  fakeScope,
  SECONDARY,
  siteRecovery,
  siteRecoveryDeployment,
  standbyDeployment,
  standbyHostsReport,
  TEST_NETWORK,
  TestClock,
} from "./fakes.ts";

describe("verify", () => {
  it("is done once enough hosts of the target region report Available", async () => {
    const azure = standbyDeployment();
    standbyHostsReport(azure, "Available", "Available");
    const scope = fakeScope(azure, { phase: "Verifying" });
    const result = await verify(scope, standbyStrategy);
    expect(result).toMatchObject({
      outcome: "done",
      message: "2 of 2 target host(s) Available (2 required)",
    });
    expect(scope.status.verification).toMatchObject({ available: 2, required: 2, notAvailable: [] });
    expect(scope.status.counters?.hostsVerified).toBe(2);
  });

  it("waits while too few are Available, then fails at verify.timeout naming each host that is not and its status", async () => {
    const azure = standbyDeployment();
    standbyHostsReport(azure, "Available", "NoHeartbeat");
    const clock = new TestClock();
    const first = fakeScope(azure, { phase: "Verifying", clock });
    expect(await verify(first, standbyStrategy)).toMatchObject({
      outcome: "wait",
      message: "1 of 2 target host(s) Available, 2 required",
    });
    clock.advance(29 * 60);
    expect((await verify(fakeScope(azure, { clock, status: first.status }), standbyStrategy)).outcome).toBe(
      "wait",
    );
    clock.advance(2 * 60); // the plan's verify.timeout is the default, 30m
    const late = fakeScope(azure, { clock, status: first.status });
    const result = await verify(late, standbyStrategy);
    expect(result).toMatchObject({ outcome: "failed", reason: "VerifyTimeout" });
    expect(result.message).toMatch(
      /after 31m0s \(spec.verify.timeout\), only 1 of 2 target host\(s\) are Available and 2 are required; not Available: sb-b.contoso.local \(NoHeartbeat\)/,
    );
    expect(late.status.verification?.notAvailable).toEqual([
      { host: "sb-b.contoso.local", status: "NoHeartbeat" },
    ]);
  });

  it("fails at once when the policy asks for more Available hosts than the target region has", async () => {
    const azure = standbyDeployment();
    standbyHostsReport(azure, "Unavailable", "Unavailable");
    const scope = fakeScope(azure, {
      phase: "Verifying",
      plan: (p) => {
        p.spec.verify = { minAvailableHosts: 3 };
      },
    });
    const result = await verify(scope, standbyStrategy);
    expect(result).toMatchObject({ outcome: "failed", reason: "TooFewTargetHosts" });
    expect(result.message).toMatch(/needs 3 Available host\(s\) but the target region has only 2/);
  });

  it("fails when a personal desktop changed hands during the failover, naming the host and both users", async () => {
    const azure = siteRecoveryDeployment(2);
    azure.dv.hosts.get("vm-0.contoso.local")!.assignedUser = "alice@contoso.com";
    azure.dv.hosts.get("vm-1.contoso.local")!.assignedUser = "bob@contoso.com";
    const before = fakeScope(azure, { phase: "FailingOver", plan: siteRecovery });
    await failover(before, siteRecoveryStrategy);
    expect(before.status.assignments).toEqual([
      { host: "vm-0.contoso.local", user: "alice@contoso.com" },
      { host: "vm-1.contoso.local", user: "bob@contoso.com" },
    ]);

    // ASR brought the replicas up in the secondary; someone reassigned vm-0 meanwhile.
    azure.hostsOnReplicas();
    azure.dv.hosts.get("vm-0.contoso.local")!.assignedUser = "mallory@contoso.com";
    const after = fakeScope(azure, { phase: "Verifying", plan: siteRecovery, status: before.status });
    const result = await verify(after, siteRecoveryStrategy);
    expect(result).toMatchObject({ outcome: "failed", reason: "VerificationFailed" });
    expect(result.message).toMatch(
      /assignments changed during the failover: vm-0.contoso.local was alice@contoso.com, now mallory@contoso.com; reassign them/,
    );
    expect(result.message).not.toMatch(/vm-1/);
  });

  it("fails when users cannot reach a target pool: its application group is in no workspace", async () => {
    const azure = standbyDeployment();
    standbyHostsReport(azure, "Available", "Available");
    const workspaces = azure.dv.workspaces;
    workspaces.splice(
      workspaces.findIndex((w) => w.name === "hp-weu-standby-ws"),
      1,
    );
    const result = await verify(fakeScope(azure, { phase: "Verifying" }), standbyStrategy);
    expect(result).toMatchObject({ outcome: "failed", reason: "VerificationFailed" });
    expect(result.message).toMatch(/host pool hp-weu-standby has no application group in a workspace/);
  });

  it("in a drill counts the test VMs by their power state, and never asks whether users can reach them", async () => {
    const azure = siteRecoveryDeployment(2);
    const vault = azure.siteRecovery;
    for (const item of vault.items.keys()) vault.startJob(item, "TestFailover");
    vault.finishJobs();
    azure.compute.addVm("vm-0-test", SECONDARY, "running");
    azure.compute.addVm("vm-1-test", SECONDARY, "starting");
    const drill = { type: "Test" as const, testNetworkId: TEST_NETWORK };
    const scope = fakeScope(azure, { phase: "Verifying", plan: siteRecovery, spec: drill });
    expect(await verify(scope, siteRecoveryStrategy)).toMatchObject({
      outcome: "wait",
      message: "1 of 2 target host(s) Available, 2 required",
    });
    expect(scope.status.verification?.notAvailable).toEqual([{ host: "vm-1-test", status: "starting" }]);

    azure.compute.settle();
    const next = fakeScope(azure, { plan: siteRecovery, spec: drill, status: scope.status });
    expect((await verify(next, siteRecoveryStrategy)).outcome).toBe("done");
    expect(azure.dv.calls.filter((c) => /application groups|workspaces/.test(c))).toEqual([]);
  });
});
