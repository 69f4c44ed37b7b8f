// What ARM throttling and the gateways' pacing cost at the failover benchmark's size
// (10 host pools × 100 hosts × 5 users, generated), against the emulator with ARM's default
// buckets, clients and emulator in this one process:
// - 5,000 notices then 5,000 log-offs through the gateways (10,000 writes): wall time against
//   the floor ARM's write bucket imposes ((10,000 − 200) / 10 per second), and 429s met;
// - the same kind of burst sent raw, unpaced: how many 429s it meets;
// - 1,000 deallocations through the gateways (ARM's write bucket and Compute's DeleteVM policy):
//   wall time against the floor the tighter of them imposes, and 429s met;
// - a recovery-plan failover of all 1,000 protected VMs: simulated job time against the
//   durations in the topology.
//
//   node bench/pacing.ts [timeScale]      (default 0.001: one simulated second is 1 ms)
import { request } from "node:https";
import { computeLimits } from "../src/azure/compute-policies.ts";
import { emulatorConnection } from "../src/azure/connection.ts";
import { createAzureGateways } from "../src/azure/index.ts";
import { armLimits } from "../src/azure/pacing-buckets.ts";
import { generateTopology } from "../src/sim/generate-topology.ts";
import { startSim } from "../src/sim/server.ts";
import { pool } from "./concurrency.ts";

const timeScale = Number(process.argv[2] ?? 0.001);
const concurrency = 50;
const topology = generateTopology({
  hostPools: 10,
  hostsPerPool: 100,
  sessionsPerHost: 5,
  strategy: "SiteRecovery",
});
const sim = await startSim({ topology, timeScale });
const gw = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 20));
const rg = "rg-avd-westeurope";
const vault = { resourceGroup: "rg-avd-northeurope", vault: "rsv-avd-northeurope" };
const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(64)} ${value}\n`);
const simSeconds = (realMs: number) => realMs / 1000 / timeScale;

try {
  const sessions = [];
  for (let p = 0; p < 10; p++)
    sessions.push(...(await gw.desktopVirtualization.listUserSessions(rg, `hp-${p}`)));
  const writesBefore = sim.state.counters.total();
  let started = performance.now();
  await pool(sessions, concurrency, (s) =>
    gw.desktopVirtualization.sendMessage(s, "Failover", "Please save your work"),
  );
  await pool(sessions, concurrency, (s) => gw.desktopVirtualization.logOff(s));
  const paced = performance.now() - started;
  const writes = 2 * sessions.length;
  // sendMessage spends write tokens, DELETE (log-off) delete tokens: two buckets, one after the other.
  const floorOf = (n: number, b: { capacity: number; refillPerSecond: number }) =>
    Math.max(0, n - b.capacity) / b.refillPerSecond;
  const floor = floorOf(sessions.length, armLimits.writes) + floorOf(sessions.length, armLimits.deletes);
  const refusals = sim.state.counters.list().filter((c) => c.status === 429);
  const throttled = refusals.reduce((n, c) => n + c.count, 0);
  line(
    `${writes} writes (notice, then log-off) through the gateways, ${concurrency} at a time`,
    `${paced.toFixed(0)} ms real`,
  );
  line(
    "  in simulated seconds / ARM's floor for them",
    `${simSeconds(paced).toFixed(0)} s / ${floor.toFixed(0)} s (+${((simSeconds(paced) / floor - 1) * 100).toFixed(1)}%)`,
  );
  line("  429s met (each honoured: the call waited Retry-After once)", String(throttled));
  for (const r of refusals) line(`    ${r.kind.split("/").slice(-2).join("/")}`, String(r.count));
  line("  ARM calls", String(sim.state.counters.total() - writesBefore));

  // The same kind of writes sent raw, unpaced, with a fresh bucket.
  sim.admin.reset();
  const token = (await (
    await import("../src/azure/connection.ts")
  )
    .createCredential(emulatorConnection(sim.info, sim.caPem))
    .getToken("https://management.azure.com/.default"))!.token;
  const path = (p: number, h: number) =>
    `/subscriptions/${sim.info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.DesktopVirtualization/hostPools/hp-${p}/sessionHosts/vm-${p}-${h}.contoso.local?api-version=2024-04-03`;
  const targets = Array.from({ length: 1000 }, (_, i) => path(Math.floor(i / 100), i % 100));
  let refused = 0;
  started = performance.now();
  await pool(
    targets,
    concurrency,
    (target) =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          new URL(target, sim.info.armEndpoint),
          {
            method: "PATCH",
            ca: sim.caPem,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          },
          (res) => {
            if (res.statusCode === 429) refused++;
            res.resume().on("end", resolve);
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ properties: { allowNewSession: false } }));
      }),
  );
  line(
    `1000 raw writes, unpaced, ${concurrency} at a time`,
    `${(performance.now() - started).toFixed(0)} ms real, ${refused} answered 429`,
  );

  // Every VM deallocated through the gateways: a write for ARM, a DeleteVM for Compute.
  sim.admin.reset();
  const vms = (await gw.compute.listPowerStates(rg)).map((vm) => vm.name);
  started = performance.now();
  await pool(vms, concurrency, (vm) => gw.compute.beginDeallocate(rg, vm));
  const deallocating = performance.now() - started;
  const deallocateFloor = Math.max(
    floorOf(vms.length, armLimits.writes),
    floorOf(vms.length, computeLimits.DeleteVM.subscription),
  );
  line(
    `${vms.length} deallocations through the gateways, ${concurrency} at a time`,
    `${deallocating.toFixed(0)} ms real, ${simSeconds(deallocating).toFixed(0)} s simulated / floor ${deallocateFloor.toFixed(0)} s`,
  );
  const deallocate = "Microsoft.Compute/virtualMachines/deallocate/action";
  line("  429s met", String(sim.admin.calls(deallocate, 429)));

  // A recovery-plan failover of every protected VM.
  sim.admin.reset();
  started = performance.now();
  const op = await gw.siteRecovery.beginFailover(
    { ...vault, recoveryPlan: "rp-avd" },
    { type: "unplanned", direction: "PrimaryToRecovery" },
  );
  await gw.siteRecovery.waitForOperation(op);
  const job = (await gw.siteRecovery.getJob(vault, op.job.name))!;
  const jobSeconds = (job.endTime!.getTime() - job.startTime!.getTime()) / 1000;
  line("recovery-plan failover of 1,000 VMs in 10 groups (simulated job time)", `${jobSeconds.toFixed(0)} s`);
  line("  real time until the gateway saw it end", `${(performance.now() - started).toFixed(0)} ms`);
  line("  resident memory", `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  await sim.close();
}
