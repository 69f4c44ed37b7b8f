// A plan's health as Flux (kstatus), Argo CD (our health.lua) and `kubectl wait` read it, on the
// real API server with the operator running: an administrator points a plan at a Secret that is
// not there, sees it fail in their GitOps tool, creates the Secret, and sees it recover.
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, GROUP, PLAN_PLURAL, VERSION } from "../../src/api/index.ts";
import { avddr, plan, until } from "../operator/fixtures.ts";
import { inProcessOperatorPerTest } from "../operator/harness.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";
import { argoHealth, CUSTOMIZATIONS } from "./argocd-lua.ts";
import { kstatusOf } from "./kstatus.ts";

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const k = avddr(kc);
const operatorFor = inProcessOperatorPerTest(kc);
const PLAN_HEALTH = `${CUSTOMIZATIONS}/avddr.io/AvdDisasterRecoveryPlan/health.lua`;

async function verdicts(p: AvdDisasterRecoveryPlan) {
  const [kstatus] = await kstatusOf([p]);
  return { kstatus: kstatus!, argo: await argoHealth(PLAN_HEALTH, p) };
}

/** What `kubectl wait --for=condition=Ready` trusts: only conditions written for the current generation. */
function conditionGenerations(p: AvdDisasterRecoveryPlan) {
  return Object.fromEntries((p.status?.conditions ?? []).map((c) => [c.type, c.observedGeneration]));
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("a plan with a bad Secret reference, in Flux's and Argo CD's eyes", () => {
  it("fails while the Secret is missing, stops failing once it exists, and never looks current for an old generation", async () => {
    const namespace = await freshNamespace("gitops");
    const operator = await operatorFor(namespace);
    const body = plan("contoso");
    body.spec.credentials = { secretRef: { name: "avd-dr-sp" } };
    await k.createPlan(namespace, body);

    const failed = await until("kstatus Failed", async () => {
      const p = await k.getPlan(namespace, "contoso");
      const v = await verdicts(p);
      return v.kstatus.status === "Failed" ? { p, v } : undefined;
    });
    const missing = `spec.credentials.secretRef.name: Secret avd-dr-sp not found in namespace ${namespace}: create it with keys tenantId, clientId, clientSecret, or remove spec.credentials to use the operator's workload identity`;
    expect(failed.v).toEqual({
      kstatus: { status: "Failed", message: missing },
      argo: { status: "Degraded", message: missing },
    });
    expect(conditionGenerations(failed.p)).toEqual({ Ready: 1, Reconciling: 1, Stalled: 1 });

    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "avd-dr-sp" },
        data: {
          tenantId: b64("contoso.onmicrosoft.com"),
          clientId: b64("0b2c6a55-1d0e-4a1f-9f59-3a0a7e2c1d11"),
          clientSecret: b64("s3cr3t"),
        },
      },
    });
    const fixed = await until("kstatus no longer Failed", async () => {
      const p = await k.getPlan(namespace, "contoso");
      const v = await verdicts(p);
      return v.kstatus.status !== "Failed" ? { p, v } : undefined;
    });
    expect(fixed.v.argo.status).not.toBe("Degraded");
    expect(fixed.p.status?.conditions?.find((c) => c.type === "Stalled")?.status).toBe("False");

    // With the operator stopped, a spec change leaves every condition a generation behind: kstatus
    // and Argo CD wait, and `kubectl wait` would skip the stale conditions.
    await operator.stop();
    await k.api.patchNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLAN_PLURAL,
      namespace,
      name: "contoso",
      body: [{ op: "replace", path: "/spec/drain", value: { gracePeriod: "5m" } }],
    });
    const behind = await k.getPlan(namespace, "contoso");
    expect(behind.metadata.generation).toBe(2);
    expect(conditionGenerations(behind)).toEqual({ Ready: 1, Reconciling: 1, Stalled: 1 });
    expect(await verdicts(behind)).toEqual({
      kstatus: {
        status: "InProgress",
        message: "AvdDisasterRecoveryPlan generation is 2, but latest observed generation is 1",
      },
      argo: {
        status: "Progressing",
        message: "Waiting for the avd-dr operator to observe generation 2 (status describes generation 1)",
      },
    });

    await operatorFor(namespace);
    const caughtUp = await until("generation 2 observed", async () => {
      const p = await k.getPlan(namespace, "contoso");
      return p.status?.observedGeneration === 2 ? p : undefined;
    });
    expect(conditionGenerations(caughtUp)).toEqual({ Ready: 2, Reconciling: 2, Stalled: 2 });
    expect((await verdicts(caughtUp)).kstatus.status).toBe(fixed.v.kstatus.status);
  });
});
