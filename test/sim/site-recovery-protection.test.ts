// What protection goes through: the vault's replication policy and its protection container
// mappings (both ways round) on the wire, and the A2A inputs of enabling protection and of a
// reprotect checked against them, each refusal naming the field or the mapping.
import { describe, expect, it } from "vitest";
import { ids } from "./fixtures.ts";
import {
  containerId,
  itemFailover,
  itemPath,
  policyId,
  primaryFabric,
  recoveryFabric,
  siteRecoverySims,
  siteRecoveryTopology,
  vaultPath,
} from "./site-recovery-fixtures.ts";

const wireTo = siteRecoverySims();

const group = (rg: string) => `/subscriptions/${ids.subscription}/resourceGroups/${rg}`;
const vmC = `${group("rg-weu")}/providers/Microsoft.Compute/virtualMachines/vm-c`;
const enableBody = (a2a: Record<string, unknown> = {}, policy = policyId) => ({
  properties: {
    policyId: policy,
    providerSpecificDetails: { instanceType: "A2A", fabricObjectId: vmC, ...a2a },
  },
});
const reprotectBody = (a2a: Record<string, unknown>) => ({
  properties: {
    failoverDirection: "RecoveryToPrimary",
    providerSpecificDetails: { instanceType: "A2A", ...a2a },
  },
});

describe("replication policies and container mappings", () => {
  it("serves the vault's A2A policy: 24 hours of points, app-consistent every 4 hours, crash-consistent every interval", async () => {
    const wire = await wireTo();
    const listed = (await wire.get(`${vaultPath}/replicationPolicies`)).body.value;
    expect(listed).toEqual([
      {
        id: policyId,
        name: "24-hour-retention-policy",
        type: "Microsoft.RecoveryServices/vaults/replicationPolicies",
        properties: {
          friendlyName: "24-hour-retention-policy",
          providerSpecificDetails: {
            instanceType: "A2A",
            recoveryPointThresholdInMinutes: 0,
            recoveryPointHistory: 1440,
            appConsistentFrequencyInMinutes: 240,
            multiVmSyncStatus: "Disabled",
            crashConsistentFrequencyInMinutes: 5,
          },
        },
      },
    ]);
    expect((await wire.get(`${vaultPath}/replicationPolicies/24-hour-retention-policy`)).body).toEqual(
      listed[0],
    );
    expect((await wire.get(`${vaultPath}/replicationPolicies/nope`)).status).toBe(404);
  });

  it("takes the policy from the topology when it says more", async () => {
    const topology = siteRecoveryTopology();
    topology.siteRecovery!.vaults[0]!.replicationPolicy = {
      name: "avd-policy",
      recoveryPointHistoryMinutes: 720,
      appConsistentFrequencyMinutes: 0,
    };
    const wire = await wireTo(topology);
    const policy = (await wire.get(`${vaultPath}/replicationPolicies/avd-policy`)).body;
    expect(policy.properties.providerSpecificDetails).toMatchObject({
      recoveryPointHistory: 720,
      appConsistentFrequencyInMinutes: 0,
    });
    // No app-consistent points without an app-consistent frequency.
    const points = (await wire.get(`${itemPath("vm-a")}/recoveryPoints`)).body.value;
    expect(
      points.map((p: { properties: { recoveryPointType: string } }) => p.properties.recoveryPointType),
    ).not.toContain("ApplicationConsistent");
    expect((await wire.get(itemPath("vm-a"))).body.properties.policyId).toBe(policy.id);
  });

  it("serves the mappings both ways round, vault-wide and per container", async () => {
    const wire = await wireTo();
    const all = (await wire.get(`${vaultPath}/replicationProtectionContainerMappings`)).body.value;
    expect(
      all.map((m: { id: string; properties: Record<string, string> }) => [
        m.id.split("/replicationProtectionContainerMappings/")[0],
        m.properties.targetProtectionContainerId,
        m.properties.policyId,
        m.properties.state,
      ]),
    ).toEqual([
      [containerId(primaryFabric), containerId(recoveryFabric), policyId, "Paired"],
      [containerId(recoveryFabric), containerId(primaryFabric), policyId, "Paired"],
    ]);
    expect(all[0]).toMatchObject({
      name: "westeurope-northeurope-24-hour-retention-policy",
      type: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings",
      properties: {
        providerSpecificDetails: { instanceType: "A2A" },
        sourceFabricFriendlyName: "westeurope",
        targetFabricFriendlyName: "northeurope",
        policyFriendlyName: "24-hour-retention-policy",
      },
    });
    const fromRecovery = (
      await wire.get(`${containerId(recoveryFabric)}/replicationProtectionContainerMappings`)
    ).body.value;
    expect(fromRecovery).toEqual([all[1]]);
    expect((await wire.get(all[1].id)).body).toEqual(all[1]);
    expect(
      (await wire.get(`${containerId(primaryFabric)}/replicationProtectionContainerMappings/nope`)).status,
    ).toBe(404);
  });
});

describe("enabling protection (A2AEnableProtectionInput)", () => {
  it("takes the target container and resource group from the mapping and the vault when left out", async () => {
    const wire = await wireTo();
    expect((await wire.put(itemPath("vm-c"), enableBody())).status).toBe(202);
    expect((await wire.get(itemPath("vm-c"))).body.properties).toMatchObject({
      recoveryContainerId: containerId(recoveryFabric),
      policyId,
      providerSpecificDetails: { recoveryAzureResourceGroupId: group("rg-neu") },
    });
  });

  it("refuses what does not fit the vault: an unknown policy, a container no mapping leads to, a group in the wrong region", async () => {
    const wire = await wireTo();
    const policy = await wire.put(itemPath("vm-c"), enableBody({}, `${vaultPath}/replicationPolicies/nope`));
    expect(policy.status).toBe(400);
    expect(policy.body.error).toMatchObject({
      code: "PolicyNotFound",
      message: expect.stringContaining(policyId),
    });
    const container = await wire.put(
      itemPath("vm-c"),
      enableBody({ recoveryContainerId: containerId(primaryFabric) }),
    );
    expect(container.body.error).toMatchObject({
      code: "ProtectionContainerMappingNotFound",
      message: expect.stringContaining(containerId(primaryFabric)),
    });
    const region = await wire.put(itemPath("vm-c"), enableBody({ recoveryResourceGroupId: group("rg-weu") }));
    expect(region.body.error).toMatchObject({
      code: "InvalidRecoveryResourceGroup",
      message: expect.stringMatching(/rg-weu \(recoveryResourceGroupId\) is in westeurope/),
    });
    expect((await wire.get(itemPath("vm-c"))).status).toBe(404);
  });

  it("refuses malformed inputs naming the field the spec requires", async () => {
    const wire = await wireTo();
    const cases: [unknown, RegExp][] = [
      [{ properties: { policyId } }, /'properties\.providerSpecificDetails' is required/],
      [enableBody({ fabricObjectId: undefined }), /'properties\.providerSpecificDetails\.fabricObjectId'/],
      [
        enableBody({ recoveryResourceGroupId: "rg-neu" }),
        /'properties\.providerSpecificDetails\.recoveryResourceGroupId' must be a resource group's id/,
      ],
      [
        enableBody({ vmManagedDisks: [{ diskId: "d", recoveryResourceGroupId: group("rg-neu") }] }),
        /'properties\.providerSpecificDetails\.vmManagedDisks\[0\]\.primaryStagingAzureStorageAccountId' is required/,
      ],
      [
        enableBody({
          vmDisks: [{ recoveryAzureStorageAccountId: "s", primaryStagingAzureStorageAccountId: "s" }],
        }),
        /vmDisks\[0\]\.diskUri' is required/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await wire.put(itemPath("vm-c"), body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });
});

describe("reprotecting an item (A2AReprotectInput)", () => {
  async function committed() {
    const wire = await wireTo();
    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-a")}/unplannedFailover`, itemFailover())));
    await wire.finished(wire.jobOf(await wire.post(`${itemPath("vm-a")}/failoverCommit`)));
    return wire;
  }

  it("goes through the reverse mapping with its policy; the audit log shows what was sent", async () => {
    const wire = await committed();
    const res = await wire.post(
      `${itemPath("vm-a")}/reProtect`,
      reprotectBody({
        recoveryContainerId: containerId(primaryFabric),
        policyId,
        recoveryResourceGroupId: group("rg-weu"),
      }),
    );
    expect(res.status).toBe(202);
    expect(wire.sim.admin.audit().at(-1)?.details).toMatchObject({
      reprotect: {
        recoveryContainerId: containerId(primaryFabric),
        policyId,
        recoveryResourceGroup: "rg-weu",
      },
    });
  });

  it("refuses a reprotect without what it needs, or through a mapping that does not exist", async () => {
    const wire = await committed();
    const cases: [unknown, string, RegExp][] = [
      [
        { properties: { failoverDirection: "RecoveryToPrimary" } },
        "InvalidRequestContent",
        /'properties\.providerSpecificDetails' is required/,
      ],
      [
        reprotectBody({ policyId }),
        "InvalidRequestContent",
        /'properties\.providerSpecificDetails\.recoveryContainerId' is required for an A2A reprotect/,
      ],
      [
        reprotectBody({ recoveryContainerId: containerId(primaryFabric) }),
        "InvalidRequestContent",
        /'properties\.providerSpecificDetails\.policyId' is required/,
      ],
      // From the recovery container to itself: no such mapping.
      [
        reprotectBody({ recoveryContainerId: containerId(recoveryFabric), policyId }),
        "ProtectionContainerMappingNotFound",
        /create the mapping first/,
      ],
      [
        reprotectBody({
          recoveryContainerId: containerId(primaryFabric),
          policyId,
          recoveryResourceGroupId: group("rg-neu"),
        }),
        "InvalidRecoveryResourceGroup",
        /rg-neu \(recoveryResourceGroupId\) is in northeurope; the replicas are created in westeurope/,
      ],
      [
        reprotectBody({
          recoveryContainerId: containerId(primaryFabric),
          policyId,
          vmDisks: [{ diskUri: "u" }],
        }),
        "InvalidRequestContent",
        /vmDisks\[0\]\.recoveryAzureStorageAccountId' is required/,
      ],
    ];
    for (const [body, code, message] of cases) {
      const res = await wire.post(`${itemPath("vm-a")}/reProtect`, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect((await wire.get(itemPath("vm-a"))).body.properties.protectionState).toBe(
      "UnplannedFailoverCommitted",
    );
  });
});
