// Faults injected into the emulator, from the topology or the admin API, as the gateways see
// them: an error rate per operation kind, added latency, a region outage that fails or hangs
// every call touching the region, a VM whose failover fails, a Site Recovery job that fails
// midway. Each reaches the gateway's caller as an AzureError that says what happened.
import { afterEach, describe, expect, it, vi } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { AzureError } from "../../src/azure/errors.ts";
import { type AzureGateways, createAzureGateways } from "../../src/azure/index.ts";
import type { FaultsConfig } from "../../src/sim/faults-schema.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { checkTopology, type Topology } from "../../src/sim/topology.ts";
import { armToken, raw, timeScale, vmPath } from "./fixtures.ts";
import { item, plan, siteRecoveryTopology, vault } from "./site-recovery-fixtures.ts";

let sim: RunningSim;
let gw: AzureGateways;

async function start(faults?: FaultsConfig): Promise<void> {
  const topology: Topology = siteRecoveryTopology(faults ? { faults } : {});
  sim = await startSim({ topology, timeScale });
  // One quick retry of a failed call, so that retried faults stay fast.
  gw = createAzureGateways({
    ...emulatorConnection(sim.info, sim.caPem, 10),
    retry: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 },
  });
}
afterEach(() => sim.close());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as AzureError,
  );
const setFaults = (faults: FaultsConfig) =>
  raw(sim, "PUT", "/admin/faults", { body: JSON.stringify(faults) });
const find = async (name: string) =>
  (await gw.siteRecovery.listProtectedItems(vault)).find((i) => i.item === name)!;

describe("faults", () => {
  it("an error rate fails exactly that share of an operation's calls, with the configured code", async () => {
    await start({
      operations: [
        {
          operation: "Microsoft.Compute/virtualMachines/read",
          errorRate: 0.5,
          status: 409,
          code: "Conflict",
        },
      ],
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await failure(gw.compute.listPowerStates("rg-weu")));
    expect(results.map((e) => e?.code)).toEqual([undefined, "Conflict", undefined, "Conflict"]);
    expect(results[1]).toBeInstanceOf(AzureError);
    // The compute SDK's paging keeps the code but not ARM's message.
    expect(results[1]!.message).toMatch(/^listing the VMs of resource group rg-weu: /);
    // Other operations are untouched.
    expect(await gw.desktopVirtualization.listHostPools("rg-weu")).toHaveLength(1);
  });

  it("a server error on every call survives the SDK's retries and reaches the caller", async () => {
    await start({ operations: [{ operation: "Microsoft.Compute/virtualMachines/*", errorRate: 1 }] });
    const error = await failure(gw.compute.beginStart("rg-neu", "vm-x"));
    expect(error).toMatchObject({ statusCode: 500, code: "InternalServerError" });
    expect(error!.message).toMatch(/^compute\/start of .*vm-x: /);
    expect(sim.admin.calls("Microsoft.Compute/virtualMachines/start/action", 500)).toBe(2);
  });

  it("adds latency to an operation kind", async () => {
    await start({
      operations: [{ operation: "Microsoft.DesktopVirtualization/hostpools/read", latencySeconds: 300 }],
    });
    await gw.desktopVirtualization.listHostPools("rg-weu");
    const started = performance.now();
    await gw.desktopVirtualization.listHostPools("rg-weu");
    // 300 simulated seconds at the tests' time scale are 300 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("a failing region outage refuses every call touching the region; its hosts go Unavailable; failover without shutdown still works", async () => {
    await start();
    expect((await setFaults({ regionOutages: [{ region: "westeurope" }] })).status).toBe(200);
    const list = await failure(gw.compute.listPowerStates("rg-weu"));
    expect(list).toMatchObject({ statusCode: 503, code: "RegionUnavailable" });
    const [session] = await gw.desktopVirtualization.listUserSessions("rg-weu", "hp-weu");
    const logOff = await failure(gw.desktopVirtualization.logOff(session!));
    expect(logOff).toMatchObject({ statusCode: 503, code: "RegionUnavailable" });
    expect(logOff!.message).toMatch(/^logging off user session .*region 'westeurope' is unavailable/);
    expect(await gw.compute.listPowerStates("rg-neu")).toHaveLength(2);
    const hosts = await gw.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu");
    expect(hosts.map((h) => h.status)).toEqual(["Unavailable", "Unavailable", "Unavailable"]);

    // A planned failover cannot shut the source down.
    const planned = await gw.siteRecovery.beginFailover(item("vm-a"), {
      type: "planned",
      direction: "PrimaryToRecovery",
    });
    const shutdown = await failure(gw.siteRecovery.waitForOperation(planned));
    expect(shutdown).toMatchObject({ code: "SourceVmShutdownFailed" });
    expect(shutdown!.message).toMatch(
      /Shut down the virtual machine.*region westeurope is unreachable.*NotRequired/,
    );
    // Replication stopped with the region: RPO grows until health turns.
    await vi.waitFor(async () => expect((await find("vm-b")).replicationHealth).not.toBe("Normal"), {
      timeout: 5000,
      interval: 50,
    });
    expect((await find("vm-b")).a2a?.rpoSeconds).toBeGreaterThan(900);
    // An unplanned failover does not need the source.
    await gw.siteRecovery.waitForOperation(
      await gw.siteRecovery.beginFailover(item("vm-b"), {
        type: "unplanned",
        direction: "PrimaryToRecovery",
      }),
    );
    await vi.waitFor(
      async () => {
        const host = (await gw.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu")).find((h) =>
          h.name.startsWith("vm-b."),
        );
        expect(host).toMatchObject({
          status: "Available",
          vmResourceId: expect.stringContaining("/resourceGroups/rg-neu/"),
        });
      },
      { timeout: 5000, interval: 25 },
    );
  });

  it("an outage of the vault's region makes Site Recovery unavailable too", async () => {
    await start({ regionOutages: [{ region: "northeurope" }] });
    const error = await failure(gw.siteRecovery.listProtectedItems(vault));
    expect(error).toMatchObject({ statusCode: 503, code: "RegionUnavailable" });
    expect(error!.message).toMatch(
      /^listing the protected items of vault rg-neu\/rsv-avd: .*'northeurope' is unavailable/,
    );
    // The primary region still answers.
    expect(await gw.compute.listPowerStates("rg-weu")).toHaveLength(3);
  });

  it("a hanging region outage holds calls until it ends", async () => {
    await start({ regionOutages: [{ region: "westeurope", mode: "hang" }] });
    const token = await armToken(sim);
    let answered = false;
    const pending = raw(sim, "GET", `${vmPath("rg-weu", "vm-a")}?api-version=2024-07-01`, { token }).then(
      (r) => {
        answered = true;
        return r;
      },
    );
    const listing = gw.compute.listPowerStates("rg-weu");
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    expect((await raw(sim, "DELETE", "/admin/faults")).status).toBe(204);
    expect((await pending).status).toBe(200);
    expect((await listing).map((v) => v.name)).toEqual(["vm-a", "vm-b", "vm-c"]);
  });

  it("a VM whose failover fails: the job fails at that task with ASR's advice; after the fault a retry succeeds", async () => {
    await start({ failoverFailures: ["rg-weu/vm-a"] });
    const op = await gw.siteRecovery.beginFailover(item("vm-a"), {
      type: "unplanned",
      direction: "PrimaryToRecovery",
    });
    const error = await failure(gw.siteRecovery.waitForOperation(op));
    expect(error).toBeInstanceOf(AzureError);
    expect(error).toMatchObject({ code: "A2AFailoverFailed" });
    expect(error!.message).toMatch(
      /job .* failed at task "Start failover": The failover of virtual machine rg-weu\/vm-a failed.*Retry the failover/,
    );
    expect(await gw.siteRecovery.checkOperation(op)).toMatchObject({
      status: "failed",
      error: { code: "A2AFailoverFailed" },
    });
    const failed = await find("vm-a");
    expect(failed).toMatchObject({ protectionState: "UnplannedFailoverFailed", activeLocation: "Primary" });
    expect(failed.allowedOperations).toContain("UnplannedFailover");

    // The same fault inside a recovery plan stops the plan at the first group.
    const planOp = await gw.siteRecovery.beginFailover(plan, {
      type: "unplanned",
      direction: "PrimaryToRecovery",
    });
    expect(await failure(gw.siteRecovery.waitForOperation(planOp))).toMatchObject({
      code: "A2AFailoverFailed",
    });
    const planJob = await gw.siteRecovery.getJob(vault, planOp.job.name);
    expect(planJob!.tasks.map((t) => t.state)).toEqual(["Failed", "NotStarted"]);
    expect((await find("vm-b")).activeLocation).toBe("Primary");

    await setFaults({});
    await gw.siteRecovery.waitForOperation(
      await gw.siteRecovery.beginFailover(item("vm-a"), {
        type: "unplanned",
        direction: "PrimaryToRecovery",
      }),
    );
    expect((await find("vm-a")).protectionState).toBe("UnplannedFailoverCommitPendingStatesBegin");
  });

  it("a job that fails midway: the tasks before succeed, the rest never start", async () => {
    await start({
      jobFailures: [{ scenario: "UnplannedFailover", afterTasks: 2, code: "ProtectionServiceUnavailable" }],
    });
    const op = await gw.siteRecovery.beginFailover(item("vm-b"), {
      type: "planned",
      direction: "PrimaryToRecovery",
    });
    const error = await failure(gw.siteRecovery.waitForOperation(op));
    expect(error).toMatchObject({ code: "ProtectionServiceUnavailable" });
    expect(error!.message).toMatch(
      /failed at task "Start failover": The UnplannedFailover job failed midway/,
    );
    const job = await gw.siteRecovery.getJob(vault, op.job.name);
    expect(job).toMatchObject({ state: "Failed", scenarioName: "UnplannedFailover" });
    expect(job!.tasks.map((t) => [t.name, t.state])).toEqual([
      ["PrerequisitesCheck", "Succeeded"],
      ["ShutdownPrimaryVm", "Succeeded"],
      ["FailoverTask", "Failed"],
      ["StartReplicaVm", "NotStarted"],
    ]);
    expect(job!.errors).toEqual([
      expect.objectContaining({ code: "ProtectionServiceUnavailable", taskId: "FailoverTask-2" }),
    ]);
    expect((await find("vm-b")).protectionState).toBe("UnplannedFailoverFailed");
  });

  it("a job that fails at once still hands back its operation; the failure is read from the job", async () => {
    const topology = siteRecoveryTopology({ faults: { jobFailures: [{ scenario: "*", afterTasks: 0 }] } });
    topology.siteRecovery!.durations!.prerequisites = 0;
    sim = await startSim({ topology, timeScale });
    gw = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10));
    // The SDK polls once before returning; the job has failed by then.
    const op = await gw.siteRecovery.beginFailover(item("vm-a"), {
      type: "unplanned",
      direction: "PrimaryToRecovery",
    });
    expect(op.job.name).toMatch(/^[0-9a-f-]{36}$/);
    expect(await gw.siteRecovery.checkOperation(op)).toMatchObject({
      status: "failed",
      error: { code: "InternalError" },
    });
  });

  it("refuses a bad fault, from the admin API or a topology, naming the field", async () => {
    await start();
    const bad = await setFaults({ operations: [{ operation: "x", errorRate: 2 }] } as FaultsConfig);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/operations\/0\/errorRate/);
    expect((await raw(sim, "GET", "/admin/faults")).body).toEqual({});
    expect(() =>
      checkTopology({ ...siteRecoveryTopology(), faults: { regionOutages: [{ region: "West Europe" }] } }),
    ).toThrow(/faults\/regionOutages\/0\/region: expected an Azure region name/);
  });
});
