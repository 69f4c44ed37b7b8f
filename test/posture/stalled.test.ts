// What only a person can fix surfaces as Stalled with a message naming the fix, the operator
// keeps running, and the plan recovers once it is fixed. Suspend stops every Azure call.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition } from "../../src/api/index.ts";
import { SECRET_NAME } from "../../src/cli/rehearsal.ts";
import { testKubeConfig } from "../support/kube.ts";
import { planWhere, type Rehearsal, ready, rehearsals } from "../support/rehearsal.ts";

const rehearse = rehearsals();
const core = testKubeConfig().makeApiClient(CoreV1Api);

const stalled = (reason: string) => (p: AvdDisasterRecoveryPlan) =>
  getCondition(p.status?.conditions, "Stalled")?.status === "True" &&
  getCondition(p.status?.conditions, "Stalled")?.reason === reason;

async function setClientSecret(r: Rehearsal, value: string) {
  await core.patchNamespacedSecret(
    { name: SECRET_NAME, namespace: r.namespace, body: { stringData: { clientSecret: value } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

async function patchSpec(r: Rehearsal, spec: object) {
  await r.k.api.patchNamespacedCustomObject(
    {
      group: "avddr.io",
      version: "v1alpha1",
      plural: "avddisasterrecoveryplans",
      namespace: r.namespace,
      name: r.planName,
      body: { spec },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

describe("a plan only a person can fix", () => {
  it("with a wrong client secret is Stalled naming the Secret's keys, and recovers when the Secret is fixed", async () => {
    const r = await rehearse("StandbyHostPool", { operator: false, spec: { observeInterval: "30s" } });
    await setClientSecret(r, "not-the-secret");
    await r.startOperator();
    const p = await planWhere(r, "Stalled", stalled("AzureAuthenticationFailed"));
    const message = getCondition(p.status?.conditions, "Stalled")?.message ?? "";
    expect(message).toMatch(/check the credentials: the Secret's tenantId, clientId and clientSecret/);
    expect(getCondition(p.status?.conditions, "FailoverReady")).toMatchObject({
      status: "False",
      reason: "AzureAuthenticationFailed",
    });
    await setClientSecret(r, r.sim.info.clientSecret);
    await planWhere(r, "Ready after the fix", ready);
  });

  it("with a missing vault is Stalled naming spec.siteRecovery, and recovers when the spec is corrected", async () => {
    const r = await rehearse("SiteRecovery", {
      spec: { siteRecovery: { vaultName: "rsv-missing", vaultResourceGroup: "rg-avd-neu-asr" } },
    });
    const p = await planWhere(r, "Stalled", stalled("VaultNotFound"));
    expect(getCondition(p.status?.conditions, "Stalled")?.message).toMatch(
      /^spec.siteRecovery.vaultName: Recovery Services vault rsv-missing in resource group rg-avd-neu-asr was not found: create it, or correct spec.siteRecovery/,
    );
    await patchSpec(r, { siteRecovery: { vaultName: "rsv-avd-neu" } });
    await planWhere(r, "Ready after the fix", ready);
  });

  it("with a missing host pool is Stalled naming the spec field", async () => {
    const r = await rehearse("StandbyHostPool", {
      spec: { primary: { location: "westeurope", resourceGroup: "rg-avd-weu", hostPools: ["hp-nope"] } },
    });
    const p = await planWhere(r, "Stalled", stalled("HostPoolNotFound"));
    expect(getCondition(p.status?.conditions, "Stalled")?.message).toMatch(
      /^spec.primary.hostPools: host pool hp-nope in resource group rg-avd-weu was not found/,
    );
    await patchSpec(r, { primary: { hostPools: ["hp-weu"] } });
    await planWhere(r, "Ready after the fix", ready);
  });
});

describe("suspend", () => {
  it("makes no ARM call at all while set, clears what it showed from Azure, and resumes when unset", async () => {
    const r = await rehearse("SiteRecovery", { spec: { suspend: true, observeInterval: "30s" } });
    await planWhere(
      r,
      "Suspended",
      (p) => getCondition(p.status?.conditions, "Ready")?.reason === "Suspended",
    );
    expect(r.sim.state.counters.total()).toBe(0);
    await patchSpec(r, { suspend: false });
    await planWhere(r, "Ready", ready);
    expect(r.sim.state.counters.total()).toBeGreaterThan(0);

    await patchSpec(r, { suspend: true });
    const suspended = await planWhere(
      r,
      "Suspended again",
      (p) => getCondition(p.status?.conditions, "Ready")?.reason === "Suspended",
    );
    expect(suspended.status?.replication).toBeUndefined();
    expect(getCondition(suspended.status?.conditions, "FailoverReady")).toMatchObject({
      status: "Unknown",
      reason: "Suspended",
    });
    const calls = r.sim.state.counters.total();
    // Ten observe intervals of the emulator's clock pass with no call.
    await new Promise((resolve) => setTimeout(resolve, r.sim.info.clock.timeScale * 300_000 + 200));
    expect(r.sim.state.counters.total()).toBe(calls);
  });
});
