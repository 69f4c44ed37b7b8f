// kstatus (what Flux's `wait`/`healthChecks` and kpt use) on every object of the Argo CD testdata:
// our status contract must read the same way to both tools.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CUSTOMIZATIONS, readObject } from "./argocd-lua.ts";
import { kstatusOf } from "./kstatus.ts";

/** testdata file → kstatus status, per kind. */
const EXPECTED: Record<string, Record<string, string>> = {
  AvdDisasterRecoveryPlan: {
    // kstatus calls an object without status and conditions Current: it cannot tell that the
    // operator has not seen it yet (docs/gitops.md says how Flux users close this gap).
    "no-status": "Current",
    "generation-lag": "InProgress",
    reconciling: "InProgress",
    unknown: "InProgress",
    ready: "Current",
    // Ready=False alone: kstatus cannot tell "not ready" from "getting there".
    "not-ready": "InProgress",
    stalled: "Failed",
    suspended: "InProgress",
    "suspended-stalled": "Failed",
  },
  FailoverRequest: {
    "no-status": "Current",
    "generation-lag": "InProgress",
    "waiting-for-plan": "InProgress",
    "behind-earlier-request": "InProgress",
    pending: "InProgress",
    draining: "InProgress",
    "failing-over": "InProgress",
    verifying: "InProgress",
    committing: "InProgress",
    reprotecting: "InProgress",
    "cleaning-up": "InProgress",
    succeeded: "Current",
    failed: "Failed",
    rejected: "Failed",
  },
};

const testdata = (kind: string, name: string) =>
  readObject(join(CUSTOMIZATIONS, "avddr.io", kind, "testdata", `${name}.yaml`));

describe.each(Object.entries(EXPECTED))("%s", (kind, expected) => {
  it("reads as kstatus expects in every state", async () => {
    const names = Object.keys(expected);
    const verdicts = await kstatusOf(await Promise.all(names.map((n) => testdata(kind, n))));
    expect(Object.fromEntries(names.map((n, i) => [n, verdicts[i]!.status]))).toEqual(expected);
  });
});

describe("kstatus messages", () => {
  it("carry the Stalled condition's message when Failed", async () => {
    const [verdict] = await kstatusOf([await testdata("FailoverRequest", "rejected")]);
    expect(verdict).toEqual({
      status: "Failed",
      message:
        "plan contoso-pooled already has an active failover, FailoverRequest weu-to-neu-drill (phase Draining); one failover runs per plan at a time: wait for it to finish, then create a new request",
    });
  });

  it("name the generation not observed yet", async () => {
    const [verdict] = await kstatusOf([await testdata("AvdDisasterRecoveryPlan", "generation-lag")]);
    expect(verdict).toEqual({
      status: "InProgress",
      message: "AvdDisasterRecoveryPlan generation is 2, but latest observed generation is 1",
    });
  });
});
