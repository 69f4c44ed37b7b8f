// kubectl as an on-call engineer uses it against the operator's objects: the same release as the
// API server, `kubectl wait` on a plan and on a failover, and what `kubectl get avddr` shows.
import { describe, expect, it } from "vitest";
import { KUBERNETES_VERSION } from "../../src/controlplane/binaries.ts";
import { expectSucceeded, finished, requestFailover } from "../failover/support.ts";
import { freshNamespace } from "../support/kube.ts";
import { kubectl } from "../support/kubectl.ts";
import { rehearsals } from "../support/rehearsal.ts";

const rehearse = rehearsals();
const QUICK = { drain: { gracePeriod: "30s" }, observeInterval: "30s" };

/** `kubectl wait -n namespace --for=condition object`, at most `timeout`. */
const wait = (namespace: string, condition: string, object: string, timeout = "60s") =>
  kubectl(["wait", "-n", namespace, `--for=${condition}`, object, `--timeout=${timeout}`]);

/** The rows of kubectl's table output, split on runs of two or more spaces. */
function rows(output: string): string[][] {
  return output
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));
}

describe("kubectl", () => {
  it("is built at the control plane's Kubernetes release", async () => {
    const { code, stdout, stderr } = await kubectl(["version", "-o", "json"]);
    expect(code, stderr).toBe(0);
    const version = JSON.parse(stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(version.clientVersion.gitVersion).toBe(KUBERNETES_VERSION);
    expect(version.serverVersion.gitVersion).toBe(KUBERNETES_VERSION);
  });

  it("waits for a plan to become Ready", async () => {
    const r = await rehearse("StandbyHostPool", { spec: QUICK });
    const ready = await wait(r.namespace, "condition=Ready", `avddrplan/${r.planName}`);
    expect(ready.code, ready.stderr).toBe(0);
    expect(ready.stdout.trim()).toBe(`avddisasterrecoveryplan.avddr.io/${r.planName} condition met`);
  });

  it("waits for a failover against the emulator until it is Ready, then shows both kinds under `get avddr`", async () => {
    const r = await rehearse("StandbyHostPool", { spec: QUICK });
    await requestFailover(r, "to-neu");
    const ready = await wait(r.namespace, "condition=Ready", "failoverrequest/to-neu");
    expect(ready.code, ready.stderr).toBe(0);
    expect(ready.stdout.trim()).toBe("failoverrequest.avddr.io/to-neu condition met");
    const done = await finished(r, "to-neu");
    expectSucceeded(done);

    // Wait until the plan has seen the failover through, so its row is settled.
    const settled = await wait(
      r.namespace,
      "jsonpath={.status.activeRegion}=Secondary",
      `avddrplan/${r.planName}`,
    );
    expect(settled.code, settled.stderr).toBe(0);
    const get = await kubectl(["get", "avddr", "-n", r.namespace]);
    expect(get.code, get.stderr).toBe(0);
    const [plans, requests] = get.stdout
      .trim()
      .split(/\n\s*\n/)
      .map(rows);
    expect(plans?.[0]).toEqual(["NAME", "STRATEGY", "ACTIVE", "READY", "PROTECTED", "WORST RPO", "AGE"]);
    expect(plans?.[1]?.slice(0, 3)).toEqual([
      `avddisasterrecoveryplan.avddr.io/${r.planName}`,
      "StandbyHostPool",
      "Secondary",
    ]);
    expect(requests?.[0]).toEqual(["NAME", "PLAN", "TYPE", "PHASE", "READY", "RTO", "AGE"]);
    expect(requests?.[1]?.slice(0, 6)).toEqual([
      "failoverrequest.avddr.io/to-neu",
      r.planName,
      "Planned",
      "Succeeded",
      "True",
      done.status?.rto,
    ]);
  });

  it("exits non-zero when what it waits for does not exist", async () => {
    const namespace = await freshNamespace("kubectl");
    const missing = await wait(namespace, "condition=Ready", "failoverrequest/nothing", "5s");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failoverrequests.avddr.io "nothing" not found');
  });
});
