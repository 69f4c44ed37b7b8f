// Site Recovery's long-running operations as the service answers them: a 202 whose
// Azure-AsyncOperation is the vault's replicationOperationStatus and whose Location is the
// resource's operationresults, both named after the job; the status body of a live trace;
// Retry-After scaled to the emulator's clock; and the real SDK's own poller working with it.
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import { describe, expect, it } from "vitest";
import { createCredential, emulatorConnection, transportOptions } from "../../src/azure/connection.ts";
import type { RunningSim } from "../../src/sim/server.ts";
import {
  containerId,
  item,
  itemFailover,
  itemPath,
  planPath,
  policyId,
  recoveryFabric,
  siteRecoverySims,
  siteRecoveryTopology,
  testNetwork,
  vault,
  vaultPath,
} from "./site-recovery-fixtures.ts";

const started = siteRecoverySims();

/** The SDK client as the gateways build it, polling every 10 ms. */
function sdk(sim: RunningSim) {
  const connection = emulatorConnection(sim.info, sim.caPem);
  const transport = transportOptions(connection);
  return new SiteRecoveryManagementClient(createCredential(connection, transport), sim.info.subscriptionId, {
    ...transport,
    endpoint: sim.info.armEndpoint,
    credentialScopes: ["https://management.azure.com/.default"],
  });
}
const fast = { updateIntervalInMs: 10 };
const [a] = [item("vm-a")];
const itemArgs = [vault.vault, vault.resourceGroup, a.fabric, a.container, "vm-a"] as const;

describe("site recovery long-running operations", () => {
  it("answers an action with 202: the vault's replicationOperationStatus and the item's operationresults, named after the job", async () => {
    const wire = await started();
    const res = await wire.post(`${itemPath("vm-a")}/unplannedFailover`, itemFailover());
    expect(res.status).toBe(202);
    const job = wire.jobOf(res);
    const origin = wire.sim.info.armEndpoint;
    expect(res.headers["azure-asyncoperation"]).toBe(
      `${origin}${vaultPath}/replicationOperationStatus/${job}?api-version=2023-06-01`,
    );
    expect(res.headers.location).toBe(
      `${origin}${itemPath("vm-a")}/operationresults/${job}?api-version=2023-06-01`,
    );
    // 30 s at a time scale of 0.001 is 30 ms: below a whole second, 0 (clients use their own interval).
    expect(res.headers["retry-after"]).toBe("0");
    const listed = await wire.get(`${vaultPath}/replicationJobs/${job}`);
    expect(listed.body).toMatchObject({ name: job, properties: { scenarioName: "UnplannedFailover" } });

    const status = await wire.follow(String(res.headers["azure-asyncoperation"]));
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      error: null,
      id: null,
      name: job,
      properties: null,
      status: "InProgress",
      startTime: expect.any(String),
      endTime: null,
      percentComplete: null,
    });
    expect((await wire.follow(String(res.headers.location))).status).toBe(202);

    await wire.finished(job);
    const done = await wire.follow(String(res.headers["azure-asyncoperation"]));
    expect(done.body).toMatchObject({ status: "Succeeded", endTime: expect.any(String), error: null });
    const result = await wire.follow(String(res.headers.location));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      name: "vm-a",
      properties: {
        protectionState: "UnplannedFailoverCommitPendingStatesBegin",
        activeLocation: "Recovery",
      },
    });
    const unknown = await wire.get(`${vaultPath}/replicationOperationStatus/not-a-job`);
    expect(unknown.status).toBe(404);
  });

  it("sends Retry-After as the service's 30 seconds at the emulator's time scale, in whole seconds", async () => {
    for (const [scale, seconds] of [
      [1, "30"],
      [0.1, "3"],
    ] as const) {
      const wire = await started(siteRecoveryTopology(), scale);
      const res = await wire.post(`${itemPath("vm-b")}/unplannedFailover`, itemFailover());
      expect(res.headers["retry-after"]).toBe(seconds);
    }
  });

  it("names the acted-on resource in Location: the plan, the PUT item, the item a reprotect moves away from", async () => {
    const wire = await started();
    const enable = await wire.put(itemPath("vm-c"), {
      properties: {
        policyId,
        providerSpecificDetails: {
          instanceType: "A2A",
          fabricObjectId: `/subscriptions/${wire.sim.info.subscriptionId}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines/vm-c`,
        },
      },
    });
    expect(enable.status).toBe(202);
    expect(enable.headers.location).toMatch(new RegExp(`${itemPath("vm-c")}/operationresults/`));

    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-b")}/unplannedFailover`, itemFailover())));
    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-b")}/failoverCommit`)));
    const reprotect = await wire.post(`${itemPath("vm-b")}/reProtect`, {
      properties: {
        failoverDirection: "RecoveryToPrimary",
        providerSpecificDetails: {
          instanceType: "A2A",
          recoveryContainerId: containerId("asr-a2a-default-westeurope"),
          policyId,
        },
      },
    });
    expect(reprotect.status).toBe(202);
    await wire.finished(wire.jobOf(reprotect));
    // The old path's operationresults still answers, with the item where it now lives.
    const result = await wire.follow(String(reprotect.headers.location));
    expect(result.status).toBe(200);
    expect(result.body.id).toBe(itemPath("vm-b", recoveryFabric));

    const other = await started();
    const onPlan = await other.post(`${planPath}/testFailover`, {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        networkType: "VmNetworkAsInput",
        networkId: testNetwork,
        providerSpecificDetails: [{ instanceType: "A2A" }],
      },
    });
    expect(onPlan.status).toBe(202);
    expect(onPlan.headers.location).toMatch(
      new RegExp(`${planPath}/operationresults/${other.jobOf(onPlan)}\\?`),
    );
  });

  it("lets the SDK's own poller follow an action to its end and hand back the resource", async () => {
    const { sim } = await started();
    const client = sdk(sim);
    const failedOver = await client.replicationProtectedItems.beginUnplannedFailoverAndWait(
      ...itemArgs,
      itemFailover(),
      fast,
    );
    expect(failedOver.properties).toMatchObject({
      protectionState: "UnplannedFailoverCommitPendingStatesBegin",
      activeLocation: "Recovery",
    });
    const committed = await client.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs, fast);
    expect(committed.properties?.protectionState).toBe("UnplannedFailoverCommitted");
    const enabled = await client.replicationProtectedItems.beginCreateAndWait(
      vault.vault,
      vault.resourceGroup,
      a.fabric,
      a.container,
      "vm-c",
      {
        properties: {
          policyId,
          providerSpecificDetails: {
            instanceType: "A2A",
            fabricObjectId: `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines/vm-c`,
          },
        },
      },
      fast,
    );
    expect(enabled.properties?.protectionState).toBe("Protected");
  });

  it("reports a failed job as Failed with its error, and the SDK's poller throws", async () => {
    const wire = await started(siteRecoveryTopology({ faults: { failoverFailures: ["rg-weu/vm-a"] } }));
    await expect(
      sdk(wire.sim).replicationProtectedItems.beginUnplannedFailoverAndWait(
        ...itemArgs,
        itemFailover(),
        fast,
      ),
    ).rejects.toThrow(/long-running operation has failed/i);
    const jobs = await wire.get(`${vaultPath}/replicationJobs`);
    const job = jobs.body.value[0].name;
    const status = await wire.get(`${vaultPath}/replicationOperationStatus/${job}`);
    expect(status.body).toMatchObject({
      status: "Failed",
      error: { code: "A2AFailoverFailed", message: expect.stringMatching(/vm-a/) },
    });
  });
});
