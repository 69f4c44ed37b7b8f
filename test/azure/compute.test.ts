// The compute gateway through @azure/arm-compute and @azure/identity over HTTPS to the
// emulator: power states in one list call, start and deallocate as long-running operations
// that a caller records and resumes, and session hosts following their VM.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { AzureError } from "../../src/azure/errors.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { type SimAndGateways, simWithGateways, smallTopology } from "../sim/fixtures.ts";

let env: SimAndGateways;
beforeEach(async () => {
  env = await simWithGateways();
});
afterEach(() => env.sim.close());

const vmRead = "Microsoft.Compute/virtualMachines/read";
const hostStatus = async (rg: string, pool: string, host: string) =>
  (await env.desktopVirtualization.listSessionHosts(rg, pool)).find((h) => h.name === host)?.status;

describe("compute gateway", () => {
  it("reads the power state of every VM of a resource group in one list call", async () => {
    const weu = await env.compute.listPowerStates("rg-weu");
    expect(weu.map((v) => [v.name, v.powerState])).toEqual([
      ["vm-a", "running"],
      ["vm-b", "running"],
      ["vm-c", "running"],
    ]);
    expect(env.sim.admin.calls(vmRead)).toBe(1);
    const neu = await env.compute.listPowerStates("rg-neu");
    expect(neu.map((v) => v.powerState)).toEqual(["deallocated", "deallocated"]);
    expect(neu[0]!.id).toMatch(
      /\/resourceGroups\/rg-neu\/providers\/Microsoft\.Compute\/virtualMachines\/vm-x$/,
    );
    expect(env.sim.admin.calls(vmRead)).toBe(2);
  });

  it("follows nextLink when a resource group has more VMs than a page", async () => {
    const paged = await simWithGateways(smallTopology({ pageSize: 2 }));
    try {
      const vms = await paged.compute.listPowerStates("rg-weu");
      expect(vms.map((v) => v.name)).toEqual(["vm-a", "vm-b", "vm-c"]);
      expect(paged.sim.admin.calls(vmRead)).toBe(2);
    } finally {
      await paged.sim.close();
    }
  });

  it("deallocates a VM: the operation runs, then succeeds, and the VM passes through deallocating", async () => {
    const operation = await env.compute.beginDeallocate("rg-weu", "vm-c");
    expect(operation).toMatchObject({ kind: "compute/deallocate" });
    expect(operation.target).toMatch(/virtualMachines\/vm-c$/);
    expect(JSON.parse(JSON.stringify(operation))).toEqual(operation);

    expect(await env.compute.checkOperation(operation)).toEqual({ status: "running" });
    const during = await env.compute.listPowerStates("rg-weu");
    expect(during.find((v) => v.name === "vm-c")?.powerState).toBe("deallocating");
    expect(await hostStatus("rg-weu", "hp-weu", "vm-c.contoso.local")).toBe("Unavailable");

    await env.compute.waitForOperation(operation);
    expect(await env.compute.checkOperation(operation)).toEqual({ status: "succeeded" });
    const after = await env.compute.listPowerStates("rg-weu");
    expect(after.find((v) => v.name === "vm-c")?.powerState).toBe("deallocated");
    expect(await hostStatus("rg-weu", "hp-weu", "vm-c.contoso.local")).toBe("Shutdown");
  });

  it("resumes waiting on a recorded operation from a new gateway, as after an operator restart", async () => {
    const recorded = JSON.stringify(await env.compute.beginStart("rg-neu", "vm-x"));
    // A fresh process: new credential, new clients, only the recorded JSON survives.
    const restarted = createAzureGateways(emulatorConnection(env.sim.info, env.sim.caPem, 10));
    await restarted.compute.waitForOperation(JSON.parse(recorded));
    expect(await restarted.compute.checkOperation(JSON.parse(recorded))).toEqual({ status: "succeeded" });
    const vms = await restarted.compute.listPowerStates("rg-neu");
    expect(vms.find((v) => v.name === "vm-x")?.powerState).toBe("running");
    // One start was sent; everything else was polling.
    expect(env.sim.admin.calls("Microsoft.Compute/virtualMachines/start/action")).toBe(1);
    expect(env.sim.admin.calls("Microsoft.Compute/locations/operations/read")).toBeGreaterThan(1);
  });

  it("a started VM's session host is Unavailable until its agent has booted, then Available", async () => {
    expect(await hostStatus("rg-neu", "hp-neu", "vm-x.contoso.local")).toBe("Shutdown");
    await env.compute.waitForOperation(await env.compute.beginStart("rg-neu", "vm-x"));
    // Running after 30 simulated seconds; the agent takes 600 more (0.6 s at this scale).
    expect(await hostStatus("rg-neu", "hp-neu", "vm-x.contoso.local")).toBe("Unavailable");
    await vi.waitFor(
      async () => expect(await hostStatus("rg-neu", "hp-neu", "vm-x.contoso.local")).toBe("Available"),
      { timeout: 5000, interval: 50 },
    );
  });

  it("a deallocated host loses its users' sessions and its heartbeat", async () => {
    const before = await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu");
    await env.compute.waitForOperation(await env.compute.beginDeallocate("rg-weu", "vm-a"));
    const sessions = await env.desktopVirtualization.listUserSessions("rg-weu", "hp-weu");
    expect(sessions.map((s) => s.userPrincipalName)).toEqual(["carol@contoso.com"]);
    const quiet = async () =>
      (await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu")).find(
        (h) => h.name === "vm-a.contoso.local",
      )!;
    const first = (await quiet()).lastHeartBeat!;
    expect(first.getTime()).toBeGreaterThan(before[0]!.lastHeartBeat!.getTime());
    // Simulated time goes on (a second here is 1,000 simulated seconds); the heartbeat does not.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await quiet()).lastHeartBeat).toEqual(first);
    const live = (await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu"))[1]!.lastHeartBeat!;
    expect(live.getTime()).toBeGreaterThan(first.getTime());
  });

  it("a start while deallocating preempts the deallocation, which ends canceled with Azure's reason", async () => {
    const deallocation = await env.compute.beginDeallocate("rg-weu", "vm-b");
    const start = await env.compute.beginStart("rg-weu", "vm-b");
    expect(await env.compute.checkOperation(deallocation)).toEqual({
      status: "canceled",
      error: {
        code: "OperationPreempted",
        message: expect.stringContaining("preempted by a more recent operation"),
      },
    });
    const error = await env.compute.waitForOperation(deallocation).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureError);
    expect(error).toMatchObject({ code: "OperationPreempted" });
    expect((error as AzureError).message).toMatch(
      /^compute\/deallocate of .*vm-b: canceled: Operation execution/,
    );
    await env.compute.waitForOperation(start);
    const vms = await env.compute.listPowerStates("rg-weu");
    expect(vms.find((v) => v.name === "vm-b")?.powerState).toBe("running");
  });

  it("refuses to act on a VM that does not exist with ARM's 404", async () => {
    const error = await env.compute.beginDeallocate("rg-weu", "vm-nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureError);
    expect(error).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    const noGroup = await env.compute.listPowerStates("rg-nope").catch((e: unknown) => e);
    expect(noGroup).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
  });
});
