// The standby strategies (StandbyHostPool, SharedHostPool) with fake gateways: which VMs are
// started, how often, when hosts are opened to users, and the drill's clean-up.
import { describe, expect, it } from "vitest";
import { standbyStrategy } from "../../../src/reconcilers/failover/strategies/standby.ts";
import { type FakeAzure, type FakeScope, fakeScope, isWrite, standbyDeployment } from "./fakes.ts";

const writes = (azure: FakeAzure) => azure.calls().filter(isWrite);
const drill = { type: "Test" as const };

/** The next reconcile's scope, carrying the status the last one wrote. */
const again = (azure: FakeAzure, last: FakeScope, spec = {}) =>
  fakeScope(azure, { spec, status: last.status, clock: last.clock });

describe("standby failover", () => {
  it("starts only the standby VMs that are down and opens every standby host to new sessions", async () => {
    const azure = standbyDeployment();
    azure.compute.vms.get("sb-b")!.powerState = "running"; // kept warm by someone
    const scope = fakeScope(azure, { phase: "FailingOver" });
    await standbyStrategy.failover(scope);
    expect(writes(azure).sort()).toEqual([
      "open sb-a.contoso.local",
      "open sb-b.contoso.local",
      "start sb-a",
    ]);
    expect(scope.status.operations).toMatchObject([
      { step: "FailingOver", kind: "start", target: "rg-neu/sb-a" },
    ]);
  });

  it("looks again once the starts are sent, and is done when every VM is up", async () => {
    const azure = standbyDeployment();
    const first = fakeScope(azure, { phase: "FailingOver" });
    expect(await standbyStrategy.failover(first)).toMatchObject({ outcome: "wait" });
    const next = again(azure, first);
    expect(await standbyStrategy.failover(next)).toMatchObject({ outcome: "done" });
    expect(writes(azure).filter((c) => c.startsWith("start"))).toEqual(["start sb-a", "start sb-b"]);
  });

  it("starts a VM found down again after its start, three starts in all, then goes on without it", async () => {
    const azure = standbyDeployment();
    azure.compute.wontStart.add("sb-a"); // no capacity in the region for its size
    let scope = fakeScope(azure, { phase: "FailingOver" });
    const outcomes: string[] = [];
    for (let pass = 0; pass < 5; pass++) {
      outcomes.push((await standbyStrategy.failover(scope)).outcome);
      azure.compute.settle();
      scope = again(azure, scope);
    }
    expect(outcomes).toEqual(["wait", "wait", "wait", "done", "done"]);
    const starts = writes(azure).filter((c) => c.startsWith("start"));
    expect(starts.filter((c) => c === "start sb-a")).toHaveLength(3);
    expect(starts.filter((c) => c === "start sb-b")).toHaveLength(1);
  });

  it("in a drill starts the standby VMs but never lets users in", async () => {
    const azure = standbyDeployment();
    const scope = fakeScope(azure, { phase: "FailingOver", spec: drill });
    await standbyStrategy.failover(scope);
    expect(writes(azure).sort()).toEqual(["start sb-a", "start sb-b"]);
  });
});

describe("standby cleanup after a drill", () => {
  it("deallocates the standby VMs once each and is done when they are all deallocated", async () => {
    const azure = standbyDeployment();
    for (const name of ["sb-a", "sb-b"]) azure.compute.vms.get(name)!.powerState = "running";
    const first = fakeScope(azure, { phase: "CleaningUp", spec: drill });
    expect(await standbyStrategy.cleanup(first)).toMatchObject({ outcome: "wait" });
    expect(await standbyStrategy.cleanup(again(azure, first, drill))).toMatchObject({ outcome: "wait" });
    azure.compute.settle();
    expect(await standbyStrategy.cleanup(again(azure, first, drill))).toMatchObject({
      outcome: "done",
      message: "the drill's 2 standby VM(s) are deallocated again",
    });
    expect(writes(azure)).toEqual(["deallocate sb-a", "deallocate sb-b"]);
  });
});
