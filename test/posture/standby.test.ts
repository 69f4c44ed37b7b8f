// The DR posture of standby strategies, as an AVD administrator sets it up against the emulator:
// the plan becomes Ready, the standby region is kept deallocated and in drain mode, and its AVD
// registration is renewed before it goes stale.
import { EventsV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition, metav1Time } from "../../src/api/index.ts";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { until } from "../operator/fixtures.ts";
import { testKubeConfig } from "../support/kube.ts";
import { type Rehearsal, rehearsals } from "../support/rehearsal.ts";

const rehearse = rehearsals();
const events = testKubeConfig().makeApiClient(EventsV1Api);

const conditionsOf = (p: AvdDisasterRecoveryPlan) =>
  Object.fromEntries((p.status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));

function readyPlan(r: Rehearsal, ms = 30_000) {
  return until(
    "plan Ready",
    async () => {
      const p = await r.k.getPlan(r.namespace, r.planName);
      return getCondition(p.status?.conditions, "Ready")?.status === "True" ? p : undefined;
    },
    ms,
  );
}

async function eventsWith(r: Rehearsal, reason: string) {
  const list = await events.listNamespacedEvent({ namespace: r.namespace });
  return list.items.filter((e) => e.reason === reason);
}

describe.each(["StandbyHostPool", "SharedHostPool"] as const)("%s posture", (strategy) => {
  it("reaches Ready from its topology, with the standby hosts deallocated, drained and counted", async () => {
    const r = await rehearse(strategy);
    const p = await readyPlan(r);
    expect(conditionsOf(p)).toMatchObject({
      Ready: "True Ready",
      Reconciling: "False Ready",
      Stalled: "False Ready",
      Protected: "True StandbyHostsRegistered",
      StandbyDeallocated: "True Deallocated",
      FailoverReady: "True Ready",
    });
    expect(p.status?.activeRegion).toBe("Primary");
    const hosts = strategy === "StandbyHostPool" ? 3 : 2;
    expect(p.status?.primary).toMatchObject({
      location: "westeurope",
      sessionHosts: hosts,
      availableHosts: hosts,
      runningVms: hosts,
    });
    expect(p.status?.secondary).toMatchObject({
      location: "northeurope",
      sessionHosts: hosts,
      runningVms: 0,
      availableHosts: 0,
    });
    // Every standby host takes no new sessions.
    expect(p.status?.secondary?.drainingHosts).toBe(p.status?.secondary?.sessionHosts);
    expect(p.status?.lastObservedTime).toMatch(/^2026-11-26T/);
    // The operator's own region is not known here, and the message says so.
    expect(getCondition(p.status?.conditions, "FailoverReady")?.message).toContain(
      "warning: the operator's own region is not known",
    );
  });

  it("deallocates a standby VM started by hand, naming it in an Event", async () => {
    const r = await rehearse(strategy, { spec: { observeInterval: "30s" } });
    await readyPlan(r);
    const { compute } = createAzureGateways(emulatorConnection(r.sim.info, r.sim.caPem));
    await compute.beginStart("rg-avd-neu", "avd-neu-0");
    const deallocation = await until("the operator deallocates avd-neu-0", () =>
      r.sim.admin
        .audit({ operation: "Microsoft.Compute/virtualMachines/deallocate/action" })
        .find((e) => e.target.endsWith("/avd-neu-0")),
    );
    expect(deallocation.principal).toBeDefined();
    const [event] = await until("an Event", async () => {
      const found = await eventsWith(r, "DeallocatingStandbyVm");
      return found.length > 0 ? found : undefined;
    });
    expect(event!.note).toContain("virtualMachines/avd-neu-0");
    expect(event!.note).toContain("spec.keepStandbyDeallocated");
    await readyPlan(r);
  });

  it("renews the standby hosts' registration when lastStandbyPowerOn is older than the interval", async () => {
    const r = await rehearse(strategy, { operator: false, spec: { standbyPowerOnInterval: "24h" } });
    // The standby last ran 23 hours ago (simulated): 90% of the interval has passed.
    const longAgo = new Date(Date.parse(r.sim.admin.now()) - 23 * 3_600_000);
    const p = await r.k.getPlan(r.namespace, r.planName);
    await r.k.api.replaceNamespacedCustomObjectStatus({
      group: "avddr.io",
      version: "v1alpha1",
      plural: "avddisasterrecoveryplans",
      namespace: r.namespace,
      name: r.planName,
      body: { ...p, status: { lastStandbyPowerOn: metav1Time(longAgo) } },
    });
    await r.startOperator();
    const refreshed = await until(
      "a newer lastStandbyPowerOn",
      async () => {
        const got = await r.k.getPlan(r.namespace, r.planName);
        const last = got.status?.lastStandbyPowerOn;
        return last && Date.parse(last) > longAgo.getTime() + 3_600_000 && !got.status?.standbyRefresh
          ? got
          : undefined;
      },
      40_000,
    );
    const audit = r.sim.admin.audit();
    const starts = audit.filter((e) => e.operation === "Microsoft.Compute/virtualMachines/start/action");
    const deallocations = audit.filter(
      (e) => e.operation === "Microsoft.Compute/virtualMachines/deallocate/action",
    );
    expect(starts.map((e) => e.target.split("/").at(-1)).sort()).toEqual([
      "avd-neu-0",
      "avd-neu-1",
      ...(strategy === "StandbyHostPool" ? ["avd-neu-2"] : []),
    ]);
    // Each standby VM is deallocated again after its agent reported in.
    for (const start of starts)
      expect(deallocations.some((d) => d.target === start.target && d.seq > start.seq)).toBe(true);
    expect((await eventsWith(r, "RegistrationRefreshed")).length).toBe(1);
    expect((refreshed.status?.lastStandbyPowerOn ?? "") > metav1Time(longAgo)).toBe(true);
    await readyPlan(r);
  });
});
