// Topology files: the shipped ones load, and a bad one fails with the field and the fix.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTopology, loadTopology, TopologyError } from "../../src/sim/topology.ts";
import { smallTopology } from "./fixtures.ts";

const root = join(import.meta.dirname, "..", "..");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "avd-dr-topology-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: the point is to write what the types forbid
type Loose = any;
const broken = (change: (t: Loose) => void) => {
  const topology: Loose = structuredClone(smallTopology());
  change(topology);
  return () => checkTopology(topology, "test.yaml");
};

describe("shipped topologies", () => {
  it.each(["site-recovery", "standby-host-pool", "shared-host-pool"])(
    "%s.yaml loads with users in session",
    async (name) => {
      const topology = await loadTopology(join(root, "config", "sim", `${name}.yaml`));
      const sessions = topology.resourceGroups
        .flatMap((rg) => rg.hostPools ?? [])
        .flatMap((p) => p.sessionHosts ?? [])
        .flatMap((h) => h.sessions ?? []);
      expect(sessions.length).toBeGreaterThan(0);
    },
  );
});

describe("a bad topology", () => {
  it("names the field and the allowed values of an enumeration", () => {
    const check = broken((t) => {
      t.resourceGroups[0].virtualMachines[1].powerState = "sleeping";
    });
    expect(check).toThrow(TopologyError);
    expect(check).toThrow(
      'resourceGroups/0/virtualMachines/1/powerState: use one of running, stopped, deallocated (got "sleeping")',
    );
  });

  it("names a field that does not belong", () => {
    expect(broken((t) => (t.resourceGroups[0].hostPools[0].maxSessions = 3))).toThrow(
      "resourceGroups/0/hostPools/0/maxSessions: unknown field; remove it or check its spelling",
    );
  });

  it("names a session host whose VM is not declared, and says where to declare it", () => {
    expect(broken((t) => (t.resourceGroups[0].hostPools[0].sessionHosts[2].vm = "vm-z"))).toThrow(
      'resourceGroups/0/hostPools/0/sessionHosts/2/vm: no virtual machine "vm-z"; declare it under a resource group\'s virtualMachines',
    );
  });

  it("refuses a VM in two host pools, an app group of a missing pool and an unreadable start time", () => {
    expect(broken((t) => t.resourceGroups[1].hostPools[0].sessionHosts.push({ vm: "rg-weu/vm-a" }))).toThrow(
      "is already a session host of hp-weu",
    );
    expect(broken((t) => (t.resourceGroups[0].applicationGroups[0].hostPool = "hp-gone"))).toThrow(
      'resourceGroups/0/applicationGroups/0/hostPool: no host pool "hp-gone"',
    );
    expect(broken((t) => (t.startTime = "yesterday"))).toThrow("startTime:");
  });

  it("makes `avd-dr sim` exit 1 with the file, the field and the fix", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      "subscriptionId: not-a-guid\ntenantId: 0f0e0d0c-0000-4000-8000-0000000000e1\nprincipals: []\nresourceGroups: []\n",
    );
    const node = process.execPath;
    const run = promisify(execFile)(node, [join(root, "src", "cli", "main.ts"), "sim", "--topology", file], {
      cwd: root,
    });
    const error = (await run.catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain(`avd-dr sim: ${file} is invalid`);
    expect(error.stderr).toContain(
      'subscriptionId: expected a GUID, e.g. 5d2a7c1e-0000-4000-8000-00000000a001 (got "not-a-guid")',
    );
    expect(error.stderr).toContain("principals:");
  });
});
