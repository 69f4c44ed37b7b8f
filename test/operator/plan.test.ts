// The plan reconciler's Kubernetes side against the real API server: what an AVD administrator
// sees in `kubectl get avddrplan -o yaml` for good and bad plans.
import { CoreV1Api, EventsV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition } from "../../src/api/index.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";
import { avddr, plan, until } from "./fixtures.ts";
import { inProcessOperatorPerTest } from "./harness.ts";

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const k = avddr(kc);
const operatorFor = inProcessOperatorPerTest(kc);

/** Waits until the plan's Stalled condition has the given reason (or is False for "none"). */
function stalledReason(namespace: string, name: string, reason: string) {
  return until(`${name} Stalled ${reason}`, async () => {
    const p = await k.getPlan(namespace, name);
    const stalled = getCondition(p.status?.conditions, "Stalled");
    if (reason === "none") return stalled?.status === "False" ? p : undefined;
    return stalled?.status === "True" && stalled.reason === reason ? p : undefined;
  });
}

const secretData = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([key, v]) => [key, Buffer.from(v).toString("base64")]));

describe("plan reconciler", () => {
  it("records observedGeneration and says honestly that the Azure side is not observed yet", async () => {
    const namespace = await freshNamespace("plan");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("contoso"));
    const p = await until("status", async () => {
      const got = await k.getPlan(namespace, "contoso");
      return got.status?.observedGeneration === 1 ? got : undefined;
    });
    const conditions = Object.fromEntries(p.status!.conditions!.map((c) => [c.type, [c.status, c.reason]]));
    expect(conditions).toEqual({
      Ready: ["Unknown", "AzureNotObserved"],
      Reconciling: ["False", "AzureNotObserved"],
      Stalled: ["False", "AzureNotObserved"],
    });
    for (const c of p.status!.conditions!) expect(c.observedGeneration).toBe(1);
  });

  it("is Stalled while its credentials Secret is missing or incomplete, naming the field and the fix", async () => {
    const namespace = await freshNamespace("plan");
    await operatorFor(namespace);
    const withSecret: AvdDisasterRecoveryPlan = plan("contoso");
    withSecret.spec.credentials = { secretRef: { name: "avd-dr-sp" } };
    await k.createPlan(namespace, withSecret);

    let p = await stalledReason(namespace, "contoso", "SecretNotFound");
    const ready = getCondition(p.status?.conditions, "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toBe(
      `spec.credentials.secretRef.name: Secret avd-dr-sp not found in namespace ${namespace}: create it with keys tenantId, clientId, clientSecret, or remove spec.credentials to use the operator's workload identity`,
    );

    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "avd-dr-sp" },
        data: secretData({
          tenantId: "contoso.onmicrosoft.com",
          clientId: "0b2c6a55-1d0e-4a1f-9f59-3a0a7e2c1d11",
        }),
      },
    });
    p = await stalledReason(namespace, "contoso", "SecretKeyMissing");
    expect(getCondition(p.status?.conditions, "Stalled")?.message).toBe(
      `Secret ${namespace}/avd-dr-sp (spec.credentials.secretRef.name) has no value for clientSecret: add this key to the Secret`,
    );

    await core.patchNamespacedSecret({
      namespace,
      name: "avd-dr-sp",
      body: [{ op: "add", path: "/data/clientSecret", value: secretData({ s: "s3cr3t" }).s }],
    });
    await stalledReason(namespace, "contoso", "none");

    // One Warning event per distinct problem, not one per reconcile (events are written in the background).
    const eventReasons = async () => {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
      return events.items
        .filter((e) => e.regarding?.name === "contoso")
        .map((e) => `${e.type} ${e.reason}`)
        .sort();
    };
    const reasons = await until("the Valid event", async () => {
      const r = await eventReasons();
      return r.includes("Normal Valid") ? r : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventReasons()).toEqual(reasons);
    expect(reasons).toEqual(["Normal Valid", "Warning SecretKeyMissing", "Warning SecretNotFound"]);
  });

  it("lets the older of two plans keep a host pool they both claim", async () => {
    const namespace = await freshNamespace("plan");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("first", "hp-shared"));
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has second precision
    await k.createPlan(namespace, plan("second", "HP-SHARED"));
    const second = await stalledReason(namespace, "second", "HostPoolClaimed");
    expect(getCondition(second.status?.conditions, "Stalled")?.message).toBe(
      [
        `spec.primary.hostPools: host pool HP-SHARED in resource group rg-avd-weu is already managed by AvdDisasterRecoveryPlan ${namespace}/first; a host pool belongs to one plan: remove it here or from the other plan`,
        `spec.secondary.hostPools: host pool HP-SHARED-standby in resource group rg-avd-neu is already managed by AvdDisasterRecoveryPlan ${namespace}/first; a host pool belongs to one plan: remove it here or from the other plan`,
      ].join("; "),
    );
    await stalledReason(namespace, "first", "none");

    await k.api.deleteNamespacedCustomObject({
      group: "avddr.io",
      version: "v1alpha1",
      plural: "avddisasterrecoveryplans",
      namespace,
      name: "first",
    });
    await stalledReason(namespace, "second", "none");
  });

  it("hands a host pool to the younger plan when the older plan gives it up", async () => {
    const namespace = await freshNamespace("plan");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("first", "hp-shared"));
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has second precision
    await k.createPlan(namespace, plan("second", "hp-shared"));
    await stalledReason(namespace, "second", "HostPoolClaimed");

    await k.api.patchNamespacedCustomObject({
      group: "avddr.io",
      version: "v1alpha1",
      plural: "avddisasterrecoveryplans",
      namespace,
      name: "first",
      body: [
        { op: "replace", path: "/spec/primary/hostPools", value: ["hp-first"] },
        { op: "replace", path: "/spec/secondary/hostPools", value: ["hp-first-standby"] },
      ],
    });
    await stalledReason(namespace, "second", "none");
  });

  it("follows a spec change with observedGeneration", async () => {
    const namespace = await freshNamespace("plan");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("contoso"));
    await until(
      "generation 1",
      async () => (await k.getPlan(namespace, "contoso")).status?.observedGeneration === 1,
    );
    await k.api.patchNamespacedCustomObject({
      group: "avddr.io",
      version: "v1alpha1",
      plural: "avddisasterrecoveryplans",
      namespace,
      name: "contoso",
      body: [{ op: "replace", path: "/spec/primary/hostPools", value: ["hp-contoso", "hp-contoso-2"] }],
    });
    const p = await until("generation 2", async () => {
      const got = await k.getPlan(namespace, "contoso");
      return got.status?.observedGeneration === 2 ? got : undefined;
    });
    expect(p.status!.conditions!.every((c) => c.observedGeneration === 2)).toBe(true);
  });
});
