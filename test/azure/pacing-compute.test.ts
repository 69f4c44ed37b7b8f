// Pacing by Compute's throttling policies: a burst of VM starts through the gateways meets no 429
// while the same burst sent raw meets Compute's; a Compute 429 that comes anyway (another client
// drained the policy) is honoured once, after its Retry-After. Compute's UpdateVM bucket is made
// small here so that it, and not ARM's write bucket, is what binds.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { pacerFor } from "../../src/azure/pacing.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { armToken, raw, smallTopology, vmPath } from "../sim/fixtures.ts";

const start = "Microsoft.Compute/virtualMachines/start/action";
const vms = Array.from({ length: 500 }, (_, i) => `vm-${String(i).padStart(3, "0")}`);

let sim: RunningSim;
beforeEach(async () => {
  sim = await startSim({
    topology: smallTopology({
      resourceGroups: [
        {
          name: "rg-burst",
          location: "northeurope",
          virtualMachines: vms.map((name) => ({ name, powerState: "deallocated" as const })),
        },
      ],
      throttling: { writes: { capacity: 1000, refillPerSecond: 100 } },
      // 50 starts at once, then one a simulated second: 100 a real second at this time scale.
      computeThrottling: { UpdateVM: { subscription: { capacity: 50, refillPerMinute: 60 } } },
    }),
    timeScale: 0.01,
  });
});
afterEach(() => sim.close());

describe("pacing by Compute's policies", () => {
  it("a burst of 500 starts through the gateways meets no 429 (the same burst raw meets many)", async () => {
    const connection = emulatorConnection(sim.info, sim.caPem, 10);
    const { compute } = createAzureGateways(connection);
    const operations = await Promise.all(vms.map((vm) => compute.beginStart("rg-burst", vm)));
    expect(new Set(operations.map((op) => op.target)).size).toBe(500);
    expect(sim.admin.calls(start, 202)).toBe(500);
    expect(sim.admin.calls(start, 429)).toBe(0);
    expect(pacerFor(connection).waited.UpdateVM).toBeGreaterThan(0);

    sim.admin.reset();
    const token = await armToken(sim);
    const answers = await Promise.all(
      vms.map((vm) => raw(sim, "POST", `${vmPath("rg-burst", vm)}/start?api-version=2026-03-01`, { token })),
    );
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.body.error.code).toBe("OperationNotAllowed");
    expect(refused[0]!.body.error.details[0].target).toBe("UpdateVMSubscriptionMaximum");
  });

  it("honours a Compute 429 that comes anyway: one refusal, then the start goes through after Retry-After", async () => {
    const { compute } = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10));
    await compute.beginStart("rg-burst", "vm-000");
    // Another client spends the policy's last token; the bucket refills one every two simulated seconds.
    await raw(sim, "PUT", "/admin/compute-throttling", {
      body: JSON.stringify({ UpdateVM: { subscription: { capacity: 1, refillPerMinute: 30 } } }),
    });
    const token = await armToken(sim);
    await raw(sim, "POST", `${vmPath("rg-burst", "vm-001")}/start?api-version=2026-03-01`, { token });
    const op = await compute.beginStart("rg-burst", "vm-002");
    expect(op.target).toMatch(/\/virtualMachines\/vm-002$/);
    // The gateway's first try met the empty bucket; the SDK waited Retry-After and the retry passed.
    expect(sim.admin.calls(start, 429)).toBe(1);
    expect(sim.admin.calls(start, 202)).toBe(3);
  });
});
