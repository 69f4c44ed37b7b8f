// What the gateways cost against the emulator at the size of the failover benchmark:
// 10 host pools × 100 session hosts × 5 users (1,000 VMs, 5,000 sessions), through the real
// SDK clients over HTTPS, emulator and clients in this one process.
//
//   node bench/sim-lists.ts
import { emulatorConnection } from "../src/azure/connection.ts";
import { createAzureGateways } from "../src/azure/index.ts";
import { startSim } from "../src/sim/server.ts";
import { checkTopology } from "../src/sim/topology.ts";
import { pool } from "./concurrency.ts";

const pools = 10;
const hostsPerPool = 100;
const usersPerHost = 5;
const concurrency = 20;

const virtualMachines: { name: string }[] = [];
const hostPools = Array.from({ length: pools }, (_, p) => ({
  name: `hp-${p}`,
  hostPoolType: "Pooled" as const,
  maxSessionLimit: 10,
  sessionHosts: Array.from({ length: hostsPerPool }, (_, h) => {
    virtualMachines.push({ name: `vm-${p}-${h}` });
    const sessions = Array.from({ length: usersPerHost }, (_, u) => ({
      user: `user-${p}-${h}-${u}@contoso.com`,
    }));
    return { vm: `vm-${p}-${h}`, sessions };
  }),
}));
const topology = checkTopology({
  subscriptionId: "0f0e0d0c-0000-4000-8000-000000000001",
  tenantId: "0f0e0d0c-0000-4000-8000-0000000000e1",
  principals: [{ clientId: "0f0e0d0c-0000-4000-8000-0000000000c1", clientSecret: "bench-secret" }],
  resourceGroups: [{ name: "rg-bench", location: "westeurope", virtualMachines, hostPools }],
});

const sim = await startSim({ topology, timeScale: 0.001 });
const { compute, desktopVirtualization: dv } = createAzureGateways(
  emulatorConnection(sim.info, sim.caPem, 20),
);

async function timed(label: string, fn: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await fn();
  process.stdout.write(`${label.padEnd(62)} ${(performance.now() - started).toFixed(0).padStart(6)} ms\n`);
}

try {
  await timed("first call (token, connection)", () => dv.listHostPools("rg-bench"));
  await timed("power state of 1,000 VMs (one paged list)", () => compute.listPowerStates("rg-bench"));
  await timed("session hosts of a 100-host pool", () => dv.listSessionHosts("rg-bench", "hp-0"));
  await timed("user sessions of 10 pools (5,000)", async () => {
    for (let p = 0; p < pools; p++) await dv.listUserSessions("rg-bench", `hp-${p}`);
  });
  const sessions = await dv.listUserSessions("rg-bench", "hp-1");
  await timed(`sendMessage + log-off of ${sessions.length} sessions, ${concurrency} at a time`, () =>
    pool(sessions, concurrency, async (s) => {
      await dv.sendMessage(s, "Failover", "Please save your work");
      await dv.logOff(s);
    }),
  );
  const vms = Array.from({ length: hostsPerPool }, (_, h) => `vm-2-${h}`);
  await timed(`deallocate of ${vms.length} VMs started, ${concurrency} at a time`, () =>
    pool(vms, concurrency, (vm) => compute.beginDeallocate("rg-bench", vm)),
  );
  process.stdout.write(
    `ARM calls ${sim.state.counters.total()}, resident memory ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
  );
} finally {
  await sim.close();
}
