// Every ARM request the gateways send is counted in the operator's metrics by kind and
// result, attempts that the SDK retries after a 429 included.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { armRequestKind } from "../../src/azure/request-observer.ts";
import { OperatorMetrics } from "../../src/controller/metrics.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { smallTopology } from "../sim/fixtures.ts";

const arm = "https://arm.example";

describe("armRequestKind", () => {
  it.each([
    [
      "POST",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1/start",
      "POST Microsoft.Compute/virtualMachines/start",
    ],
    [
      "GET",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp/sessionHosts",
      "GET Microsoft.DesktopVirtualization/hostPools/sessionHosts",
    ],
    [
      "DELETE",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp/sessionHosts/h.contoso.local/userSessions/3",
      "DELETE Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions",
    ],
    [
      "POST",
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/unplannedFailover",
      "POST Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/unplannedFailover",
    ],
    ["GET", "/subscriptions/s/resourceGroups/rg/resources", "GET subscriptions/resourceGroups/resources"],
  ])("%s %s is %s, whatever the names", (method, path, kind) => {
    expect(armRequestKind(method, `${arm}${path}?api-version=1`)).toBe(kind);
  });
});

let sim: RunningSim;
beforeEach(async () => {
  // Three writes at once, then one every 2 simulated seconds (0.2 s real): a fourth write waits.
  sim = await startSim({
    topology: smallTopology({ throttling: { writes: { capacity: 3, refillPerSecond: 0.5 } } }),
    timeScale: 0.1,
  });
});
afterEach(() => sim.close());

describe("the gateways' requests in the operator's metrics", () => {
  it("counts successes, absent resources and throttled attempts by kind", async () => {
    const metrics = new OperatorMetrics();
    const gateways = createAzureGateways({
      ...emulatorConnection(sim.info, sim.caPem, 10),
      // Unpaced, so that the burst below meets the emulator's 429s and the SDK retries them.
      pacing: false,
      onRequest: metrics.recordAzureRequest,
    });
    const dv = gateways.desktopVirtualization;
    expect(await dv.getHostPool("rg-weu", "no-such-pool")).toBeUndefined();
    await gateways.compute.listPowerStates("rg-weu");
    const drained = await Promise.all(
      Array.from({ length: 4 }, () => dv.setAllowNewSession("rg-weu", "hp-weu", "vm-c.contoso.local", false)),
    );
    expect(drained.every((h) => h.allowNewSession === false)).toBe(true);

    const counts = new Map(
      (await metrics.azureRequests.get()).values.map((v) => [`${v.labels.kind} ${v.labels.result}`, v.value]),
    );
    expect(counts.get("GET Microsoft.DesktopVirtualization/hostPools not_found")).toBe(1);
    expect(counts.get("GET Microsoft.Compute/virtualMachines ok")).toBeGreaterThanOrEqual(1);
    expect(counts.get("PATCH Microsoft.DesktopVirtualization/hostPools/sessionHosts ok")).toBe(4);
    expect(
      counts.get("PATCH Microsoft.DesktopVirtualization/hostPools/sessionHosts throttled"),
    ).toBeGreaterThan(0);
  });
});
