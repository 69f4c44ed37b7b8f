// Compute's own throttling in the emulator, behind ARM's: each VM request's policy and its
// buckets (per subscription and region, per VM) in x-ms-ratelimit-remaining-resource, Compute's
// 429 OperationNotAllowed naming the empty bucket, refill over simulated time, limits from the
// topology and the admin API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ComputeLimits } from "../../src/azure/compute-policies.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { checkTopology, TopologyError } from "../../src/sim/topology.ts";
import { armToken, poolPath, raw, smallTopology, sub, vmPath } from "./fixtures.ts";

const api = "api-version=2026-03-01";
const deallocate = "Microsoft.Compute/virtualMachines/deallocate/action";

let sim: RunningSim;
let token: string;
beforeEach(async () => {
  // Two deallocations per region at once, then one every 100 simulated seconds (1 s of real time).
  sim = await startSim({
    topology: smallTopology({
      computeThrottling: { DeleteVM: { subscription: { capacity: 2, refillPerMinute: 0.6 } } },
    }),
    timeScale: 0.01,
  });
  token = await armToken(sim);
});
afterEach(() => sim.close());

const post = (rg: string, vm: string, action: string) =>
  raw(sim, "POST", `${vmPath(rg, vm)}/${action}?${api}`, { token });
const remaining = (r: { headers: Record<string, unknown> }) => r.headers["x-ms-ratelimit-remaining-resource"];

describe("Compute throttling", () => {
  it("tells each Compute answer the remaining count of every bucket of its policy", async () => {
    expect(remaining(await post("rg-neu", "vm-x", "start"))).toBe(
      "Microsoft.Compute/UpdateVMSubscriptionMaximum;1499,Microsoft.Compute/UpdateVMResource;11",
    );
    expect(remaining(await post("rg-weu", "vm-a", "deallocate"))).toBe(
      "Microsoft.Compute/DeleteVMSubscriptionMaximum;1,Microsoft.Compute/DeleteVMResource;11",
    );
    expect(remaining(await raw(sim, "GET", `${vmPath("rg-weu", "vm-b")}?${api}`, { token }))).toBe(
      "Microsoft.Compute/LowCostGetSubscriptionMaximum;23999,Microsoft.Compute/LowCostGetResource;35",
    );
    // Lists have a subscription bucket only.
    const list = `${sub}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines?${api}`;
    expect(remaining(await raw(sim, "GET", list, { token }))).toBe(
      "Microsoft.Compute/HighCostGetSubscriptionMaximum;899",
    );
    // Other providers' answers carry none.
    const pool = await raw(sim, "GET", `${poolPath("rg-weu", "hp-weu")}?api-version=2024-04-03`, { token });
    expect(pool.status).toBe(200);
    expect(remaining(pool)).toBeUndefined();
  });

  it("refuses a request beyond a policy's bucket with Compute's 429, changing nothing", async () => {
    const answers = [];
    for (const vm of ["vm-a", "vm-b", "vm-c"]) answers.push(await post("rg-weu", vm, "deallocate"));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 429]);
    const refused = answers[2]!;
    expect(refused.body.error).toMatchObject({
      code: "OperationNotAllowed",
      message:
        "The server rejected the request because too many requests have been received for this subscription.",
      details: [{ code: "TooManyRequests", target: "DeleteVMSubscriptionMaximum" }],
    });
    expect(JSON.parse(refused.body.error.details[0].message)).toMatchObject({
      operationGroup: "DeleteVMSubscriptionMaximum",
      allowedRequestCount: 2,
    });
    expect(refused.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(remaining(refused)).toBe(
      "Microsoft.Compute/DeleteVMSubscriptionMaximum;0,Microsoft.Compute/DeleteVMResource;12",
    );
    // ARM counted the request before Compute refused it.
    expect(refused.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBeDefined();
    const vmC = await raw(sim, "GET", `${vmPath("rg-weu", "vm-c")}/instanceView?${api}`, { token });
    expect(vmC.body.statuses.map((s: { code: string }) => s.code)).toContain("PowerState/running");
    expect(sim.admin.calls(deallocate, 429)).toBe(1);
    expect(sim.admin.audit({ operation: deallocate })).toHaveLength(2);
    // Each region has buckets of its own.
    expect((await post("rg-neu", "vm-y", "deallocate")).status).toBe(202);
  });

  it("refuses the VM whose own bucket is empty while another VM's requests pass", async () => {
    await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ UpdateVM: { resource: { capacity: 3, refillPerMinute: 0 } } }),
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post("rg-weu", "vm-a", "powerOff")).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const refused = await post("rg-weu", "vm-a", "start");
    expect(refused.body.error.details[0].target).toBe("UpdateVMResource");
    expect(remaining(refused)).toMatch(
      /^Microsoft\.Compute\/UpdateVMSubscriptionMaximum;\d+,Microsoft\.Compute\/UpdateVMResource;0$/,
    );
    expect((await post("rg-weu", "vm-b", "start")).status).toBe(202);
  });

  it("refills over simulated time", async () => {
    for (const vm of ["vm-a", "vm-b"]) await post("rg-weu", vm, "deallocate");
    expect((await post("rg-weu", "vm-c", "deallocate")).status).toBe(429);
    // A token every 100 simulated seconds: one second of real time.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await post("rg-weu", "vm-c", "deallocate")).status).toBe(202);
  });

  it("is behind ARM: a request ARM refuses never reaches Compute and carries no Compute header", async () => {
    await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ UpdateVM: { subscription: { capacity: 10, refillPerMinute: 0 } } }),
    });
    await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ writes: { capacity: 1, refillPerSecond: 0 } }),
    });
    expect(remaining(await post("rg-neu", "vm-x", "start"))).toMatch(/UpdateVMSubscriptionMaximum;9,/);
    const refused = await post("rg-neu", "vm-y", "start");
    expect(refused.body.error.code).toBe("SubscriptionRequestsThrottled");
    expect(remaining(refused)).toBeUndefined();
    await raw(sim, "PUT", "/admin/throttling", { body: JSON.stringify({}) });
    // Only the start that ARM let through took a Compute token.
    expect(remaining(await post("rg-neu", "vm-y", "start"))).toMatch(/UpdateVMSubscriptionMaximum;8,/);
  });

  it("takes new limits, or none, through the admin API, and refuses a bad body naming the field", async () => {
    const bad = await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ UpdateVM: { subscription: { capacity: 0, refillPerMinute: 1 } } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/UpdateVM\/subscription\/capacity/);
    const noVmBucket = await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ HighCostGet: { resource: { capacity: 1, refillPerMinute: 1 } } }),
    });
    expect(noVmBucket.status).toBe(400);
    expect(noVmBucket.body.error.message).toMatch(/HighCostGet\/resource: unknown field/);
    const off = await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.body).toMatchObject({
      enabled: false,
      DeleteVM: {
        subscription: { capacity: 1500, refillPerMinute: 500 },
        resource: { capacity: 12, refillPerMinute: 4 },
      },
      HighCostGet: { subscription: { capacity: 900, refillPerMinute: 300 } },
    });
    const statuses = [];
    for (let i = 0; i < 15; i++) statuses.push((await post("rg-weu", "vm-a", "deallocate")).status);
    expect(statuses.every((s) => s === 202)).toBe(true);
    sim.admin.reset();
    expect((await raw(sim, "GET", "/admin/compute-throttling", {})).body).toMatchObject({
      enabled: true,
      DeleteVM: { subscription: { capacity: 2 } },
    });
  });

  it("tells clients its policies in real time in the info", () => {
    const compute = sim.info.pacing.compute as ComputeLimits;
    expect(compute.DeleteVM.subscription.capacity).toBe(2);
    // 0.6 a simulated minute at a time scale of 0.01: one a real second.
    expect(compute.DeleteVM.subscription.refillPerSecond).toBeCloseTo(1);
    expect(compute.UpdateVM.subscription.refillPerSecond).toBeCloseTo(500 / 60 / 0.01);
  });

  it("refuses a topology whose Compute limits are malformed, naming the field", () => {
    expect(() =>
      smallTopology({
        computeThrottling: { LowCostGet: { resource: { capacity: 5, refillPerMinute: -1 } } },
      }),
    ).toThrow(/computeThrottling\/LowCostGet\/resource\/refillPerMinute/);
    expect(() => checkTopology({ ...smallTopology(), computeThrottling: { PutVM: {} } })).toThrow(
      TopologyError,
    );
  });
});
