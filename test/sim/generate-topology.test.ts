// The generator of large topologies: the benchmark's size, each strategy's layout, the
// checks a topology file passes, and an emulator that runs it.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { generateTopology } from "../../src/sim/generate-topology.ts";
import { startSim } from "../../src/sim/server.ts";
import { checkTopology } from "../../src/sim/topology.ts";

const count = (t: ReturnType<typeof generateTopology>) => {
  const pools = t.resourceGroups.flatMap((rg) => rg.hostPools ?? []);
  const hosts = pools.flatMap((p) => p.sessionHosts ?? []);
  return {
    vms: t.resourceGroups.reduce((n, rg) => n + (rg.virtualMachines?.length ?? 0), 0),
    pools: pools.length,
    hosts: hosts.length,
    sessions: hosts.reduce((n, h) => n + (h.sessions?.length ?? 0), 0),
  };
};

describe("generate topology", () => {
  it("makes the failover benchmark's size: 10 pools × 100 hosts × 5 users, every VM protected", () => {
    const t = generateTopology({
      hostPools: 10,
      hostsPerPool: 100,
      sessionsPerHost: 5,
      strategy: "SiteRecovery",
    });
    expect(count(t)).toEqual({ vms: 1000, pools: 10, hosts: 1000, sessions: 5000 });
    const vault = t.siteRecovery!.vaults[0]!;
    expect(vault.protectedVms).toHaveLength(1000);
    expect(vault.recoveryPlans![0]!.groups.map((g) => g.length)).toEqual(Array(10).fill(100));
    expect(() => checkTopology(t)).not.toThrow();
  });

  it("lays out a standby pool per pool, or one shared pool with drained recovery hosts", () => {
    const standby = generateTopology({
      hostPools: 2,
      hostsPerPool: 3,
      sessionsPerHost: 2,
      strategy: "StandbyHostPool",
    });
    expect(count(standby)).toEqual({ vms: 12, pools: 4, hosts: 12, sessions: 12 });
    const recovery = standby.resourceGroups[1]!;
    expect(recovery.virtualMachines!.every((vm) => vm.powerState === "deallocated")).toBe(true);
    expect(recovery.workspaces).toHaveLength(1);
    const shared = generateTopology({
      hostPools: 2,
      hostsPerPool: 3,
      sessionsPerHost: 2,
      strategy: "SharedHostPool",
      personalPools: 1,
    });
    const [personal, pooled] = shared.resourceGroups[0]!.hostPools!;
    expect(personal!.hostPoolType).toBe("Personal");
    expect(personal!.sessionHosts!.filter((h) => h.sessions).every((h) => h.sessions!.length === 1)).toBe(
      true,
    );
    expect(
      pooled!.sessionHosts!.filter((h) => h.vm.includes("/")).every((h) => h.allowNewSession === false),
    ).toBe(true);
    expect(shared.siteRecovery).toBeUndefined();
  });

  it("refuses bad sizes naming the field", () => {
    expect(() =>
      generateTopology({ hostPools: 2, hostsPerPool: -1, sessionsPerHost: 1, strategy: "SiteRecovery" }),
    ).toThrow(/hostsPerPool: a whole number/);
    expect(() =>
      generateTopology({
        hostPools: 1,
        hostsPerPool: 1,
        sessionsPerHost: 1,
        strategy: "SiteRecovery",
        personalPools: 2,
      }),
    ).toThrow(/personalPools: at most hostPools/);
  });

  it("runs in the emulator: the gateways see its pools, sessions and protected items", async () => {
    const sim = await startSim({
      topology: generateTopology({
        hostPools: 3,
        hostsPerPool: 4,
        sessionsPerHost: 2,
        strategy: "SiteRecovery",
      }),
      timeScale: 0.001,
    });
    try {
      const gw = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10));
      expect((await gw.desktopVirtualization.listHostPools("rg-avd-westeurope")).map((p) => p.name)).toEqual([
        "hp-0",
        "hp-1",
        "hp-2",
      ]);
      expect(await gw.desktopVirtualization.listUserSessions("rg-avd-westeurope", "hp-2")).toHaveLength(8);
      const items = await gw.siteRecovery.listProtectedItems({
        resourceGroup: "rg-avd-northeurope",
        vault: "rsv-avd-northeurope",
      });
      expect(items).toHaveLength(12);
    } finally {
      await sim.close();
    }
  });

  it("avd-dr sim-topology writes a file that avd-dr sim can load", async () => {
    const out = join(tmpdir(), `avd-dr-generated-${process.pid}.yaml`);
    await promisify(execFile)(process.execPath, [
      "src/cli/main.ts",
      "sim-topology",
      "--host-pools",
      "2",
      "--hosts",
      "5",
      "--sessions",
      "3",
      "--out",
      out,
    ]);
    const { loadTopology } = await import("../../src/sim/topology.ts");
    const t = await loadTopology(out);
    expect(count(t)).toEqual({ vms: 10, pools: 2, hosts: 10, sessions: 30 });
    expect(await readFile(out, "utf8")).toContain("siteRecovery:");
    const bad = await promisify(execFile)(process.execPath, [
      "src/cli/main.ts",
      "sim-topology",
      "--hosts",
      "many",
    ]).catch((e: { stderr: string; code: number }) => e);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--hosts: "many" is not a whole number'),
    });
  });
});
