// FailoverRequests as an on-call engineer's tools read them, on the real API server with the
// operator running: the accepted request is in progress, a second one for the same plan is
// rejected, and Flux (kstatus) and Argo CD (our health.lua) agree on both.
import { describe, expect, it } from "vitest";
import type { FailoverRequest } from "../../src/api/index.ts";
import { avddr, failover, plan, until } from "../operator/fixtures.ts";
import { inProcessOperatorPerTest } from "../operator/harness.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";
import { argoHealth, CUSTOMIZATIONS } from "./argocd-lua.ts";
import { kstatusOf } from "./kstatus.ts";

const kc = testKubeConfig();
const k = avddr(kc);
const operatorFor = inProcessOperatorPerTest(kc);
const REQUEST_HEALTH = `${CUSTOMIZATIONS}/avddr.io/FailoverRequest/health.lua`;

async function verdicts(r: FailoverRequest) {
  const [kstatus] = await kstatusOf([r]);
  return {
    phase: r.status?.phase,
    kstatus: kstatus!.status,
    argo: (await argoHealth(REQUEST_HEALTH, r)).status,
  };
}

describe("two failovers of one plan, in Flux's and Argo CD's eyes", () => {
  it("shows the accepted one in progress and the second one failed, with the reason", async () => {
    const namespace = await freshNamespace("gitops");
    await operatorFor(namespace);
    await k.createPlan(namespace, plan("contoso"));
    await k.createRequest(namespace, failover("first", "contoso"));
    const first = await until("first accepted", async () => {
      const r = await k.getRequest(namespace, "first");
      return r.status?.phase === "Pending" ? r : undefined;
    });
    expect(await verdicts(first)).toEqual({ phase: "Pending", kstatus: "InProgress", argo: "Progressing" });

    await k.createRequest(namespace, failover("second", "contoso"));
    const second = await until("second rejected", async () => {
      const r = await k.getRequest(namespace, "second");
      return r.status?.phase === "Rejected" ? r : undefined;
    });
    expect(await verdicts(second)).toEqual({ phase: "Rejected", kstatus: "Failed", argo: "Degraded" });
    const stalled = second.status?.conditions?.find((c) => c.type === "Stalled");
    expect((await argoHealth(REQUEST_HEALTH, second)).message).toBe(stalled?.message);
    expect(stalled?.message).toMatch(/^plan contoso already has an active failover, FailoverRequest first/);
    for (const c of second.status?.conditions ?? [])
      expect(c.observedGeneration).toBe(second.metadata.generation);
  });
});
