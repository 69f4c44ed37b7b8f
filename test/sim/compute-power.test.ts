// Microsoft.Compute power operations on the wire and through @azure/arm-compute 24: the
// provisioning state while a VM starts or deallocates, an operation's times when the VM is
// already where it was asked to go, and a preempted operation's status body.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningSim } from "../../src/sim/server.ts";
import { startSim } from "../../src/sim/server.ts";
import { armToken, type RawResponse, raw, smallTopology, timeScale, vmPath } from "./fixtures.ts";
import { sdkClients } from "./sdk-clients.ts";

let sim: RunningSim;
let token: string;
const api = "api-version=2026-03-01";
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));

beforeEach(async () => {
  // One simulated second is a real millisecond: each power change takes a real second.
  const durations = { vmStart: 1000, vmDeallocate: 1000, vmPowerOff: 1000, agentBoot: 1000 };
  sim = await startSim({ topology: smallTopology({ durations }), timeScale });
  token = await armToken(sim);
});
afterEach(() => sim.close());

/** POSTs a power action; returns its operation-status URL and Location. */
async function act(vm: string, action: string, rg = "rg-weu") {
  const res = await raw(sim, "POST", `${vmPath(rg, vm)}/${action}?${api}`, { token });
  expect(res.status).toBe(202);
  return { status: res.headers["azure-asyncoperation"] as string, location: res.headers.location as string };
}

/** The operation's status body once it is no longer InProgress. */
async function ended(statusUrl: string): Promise<RawResponse["body"]> {
  let res = await raw(sim, "GET", statusUrl, { token });
  while (res.body.status === "InProgress")
    res = await pause().then(() => raw(sim, "GET", statusUrl, { token }));
  return res.body;
}

describe("provisioning state", () => {
  it("is Updating while a VM deallocates or starts, then Succeeded at the instant it settled", async () => {
    const vms = sdkClients(sim).compute.virtualMachines;
    const deallocation = await act("vm-c", "deallocate");
    const during = await vms.get("rg-weu", "vm-c", { expand: "instanceView" });
    expect(during.provisioningState).toBe("Updating");
    expect(during.instanceView?.statuses?.map((s) => [s.code, s.displayStatus])).toEqual([
      ["ProvisioningState/updating", "Updating"],
      ["PowerState/deallocating", "VM deallocating"],
    ]);
    expect(during.instanceView?.statuses?.[0]?.time).toBeUndefined();

    const done = await ended(deallocation.status);
    const after = await vms.get("rg-weu", "vm-c", { expand: "instanceView" });
    expect(after.provisioningState).toBe("Succeeded");
    expect(after.instanceView?.statuses?.[0]).toMatchObject({ code: "ProvisioningState/succeeded" });
    expect(after.instanceView?.statuses?.[0]?.time?.toISOString()).toBe(done.endTime);

    await act("vm-c", "start");
    const starting = await vms.get("rg-weu", "vm-c", { expand: "instanceView" });
    expect([starting.provisioningState, starting.instanceView?.statuses?.[1]?.code]).toEqual([
      "Updating",
      "PowerState/starting",
    ]);
  });
});

describe("an action on a VM already on its way or already there", () => {
  it("ends at once when the VM has settled, never before it began, and Location answers 200", async () => {
    const first = await ended((await act("vm-c", "deallocate")).status);
    await pause(); // simulated time moves past the first settle
    const again = await act("vm-c", "deallocate");
    const second = await ended(again.status);
    expect(second.status).toBe("Succeeded");
    expect(Date.parse(second.startTime)).toBeGreaterThan(Date.parse(first.endTime));
    expect(Date.parse(second.endTime)).toBeGreaterThanOrEqual(Date.parse(second.startTime));
    expect((await raw(sim, "GET", again.location, { token })).status).toBe(200);
  });

  it("ends together with the operation already under way when the same action repeats", async () => {
    const first = await act("vm-b", "deallocate");
    const repeat = await act("vm-b", "deallocate");
    const [a, b] = [await ended(first.status), await ended(repeat.status)];
    expect([a.status, b.status]).toEqual(["Succeeded", "Succeeded"]);
    expect(b.endTime).toBe(a.endTime);
    expect(Date.parse(b.startTime)).toBeGreaterThanOrEqual(Date.parse(a.startTime));
  });
});

describe("a preempted power operation", () => {
  it("ends Canceled with OperationPreempted when a start changes the VM's course", async () => {
    const deallocation = await act("vm-b", "deallocate");
    const start = await act("vm-b", "start");
    const canceled = await raw(sim, "GET", deallocation.status, { token });
    expect(canceled.body).toMatchObject({
      status: "Canceled",
      error: {
        code: "OperationPreempted",
        message: "Operation execution has been preempted by a more recent operation.",
      },
    });
    expect(Date.parse(canceled.body.endTime)).toBeGreaterThanOrEqual(Date.parse(canceled.body.startTime));
    expect((await ended(start.status)).status).toBe("Succeeded");
  });
});
