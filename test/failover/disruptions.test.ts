// Failovers through what goes wrong around them: a tenth of ARM's answers failing (500, 503,
// 429) with added latency, the Kubernetes API server stopped and restarted mid-failover, and the
// leading operator replica killed mid-failover with a standby replica taking over. Each still
// finishes, nothing transient fails it, and no ASR action is sent twice nor a user logged off early.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { until } from "../operator/fixtures.ts";
import { leaseHolder, type OperatorProcess, startOperatorProcess } from "../operator/operator-process.ts";
import { type OwnControlPlane, startOwnControlPlane } from "../operator/own-control-plane.ts";
import { testKubeConfig, testKubeconfigPath } from "../support/kube.ts";
import { rehearsals } from "../support/rehearsal.ts";
import {
  expectExactlyOnce,
  expectNoEarlyLogOff,
  expectSucceeded,
  finished,
  requestFailover,
} from "./support.ts";

const rehearse = rehearsals();

describe("a tenth of ARM calls failing, with latency", () => {
  it.each(["SiteRecovery", "StandbyHostPool"] as const)(
    "%s: the failover succeeds and nothing is marked Failed for a transient error",
    async (strategy) => {
      const r = await rehearse(strategy, {
        spec: {
          drain: { gracePeriod: "60s" },
          ...(strategy === "SiteRecovery"
            ? { siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" } }
            : {}),
        },
      });
      await r.k.getPlan(r.namespace, r.planName);
      r.sim.state.faults.configure({
        operations: [
          { operation: "Microsoft.*", errorRate: 0.04, status: 500, code: "InternalServerError" },
          { operation: "Microsoft.*", errorRate: 0.03, status: 503, code: "ServiceUnavailable" },
          { operation: "Microsoft.*", errorRate: 0.03, status: 429, code: "TooManyRequests" },
          { operation: "Microsoft.*", latencySeconds: 1 },
        ],
      });
      await requestFailover(r, "to-neu", strategy === "SiteRecovery" ? { reprotect: true } : {});
      const done = await finished(r, "to-neu", 120_000);
      expectSucceeded(done);
      const injected = r.sim.state.counters.list().filter((c) => [500, 503, 429].includes(c.status));
      // About a tenth of the calls since the faults were switched on met one.
      const failedCalls = injected.reduce((n, c) => n + c.count, 0);
      expect(failedCalls / r.sim.state.counters.total()).toBeGreaterThan(0.05);
      expect(expectNoEarlyLogOff(r.sim, 60)).toBe(4);
      if (strategy === "SiteRecovery") expectExactlyOnce(r.sim, 5);
    },
  );
});

describe("the Kubernetes API server stopped and restarted mid-failover", () => {
  let own: OwnControlPlane;
  beforeAll(async () => {
    own = await startOwnControlPlane();
  }, 120_000);
  afterAll(() => own?.stop());

  it("the failover finishes and no step is repeated", async () => {
    const r = await rehearse("SiteRecovery", {
      kubeConfig: own.kc,
      spec: {
        drain: { gracePeriod: "120s" },
        siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" },
      },
    });
    await requestFailover(r, "to-neu", { reprotect: true });
    // Mid-drain: users have been told and wait out their grace period.
    await notified(r);
    await own.cp.stopApiServer();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await own.cp.startApiServer();
    const done = await finished(r, "to-neu", 120_000);
    expectSucceeded(done);
    expect(expectNoEarlyLogOff(r.sim, 120)).toBe(4);
    expectExactlyOnce(r.sim, 5);
  });
});

describe("two operator replicas with leader election", () => {
  const running: OperatorProcess[] = [];
  afterEach(() => {
    for (const op of running.splice(0)) op.child.kill("SIGKILL");
  });

  it("the leader killed mid-failover: the standby takes over and finishes, exactly once", async () => {
    const r = await rehearse("SiteRecovery", {
      operator: false,
      timeScale: 0.01,
      spec: {
        drain: { gracePeriod: "60s" },
        siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" },
      },
    });
    const infoFile = join(r.sim.info.caFile, "..", "info.json");
    await writeFile(infoFile, JSON.stringify(r.sim.info));
    const replica = async () => {
      const op = await startOperatorProcess({
        kubeconfigPath: testKubeconfigPath(),
        namespace: r.namespace,
        timings: { leaseDuration: "3s", renewDeadline: "2s", retryPeriod: "500ms" },
        args: [`--emulator-info=${infoFile}`],
        env: { NODE_EXTRA_CA_CERTS: r.sim.info.caFile },
      });
      running.push(op);
      return op;
    };
    const [a, b] = await Promise.all([replica(), replica()]);
    const kc = testKubeConfig();
    const leaderId = await until("a leader", async () => (await leaseHolder(kc, r.namespace)) || undefined);
    const leader = leaderId === a.identity ? a : b;
    const standby = leader === a ? b : a;
    await requestFailover(r, "to-neu", { reprotect: true });
    await notified(r);
    leader.child.kill("SIGKILL");
    const done = await finished(r, "to-neu", 120_000);
    expectSucceeded(done);
    expect(await leaseHolder(kc, r.namespace)).toBe(standby.identity);
    expect(expectNoEarlyLogOff(r.sim, 60)).toBe(4);
    expectExactlyOnce(r.sim, 5);
  });
});

/** Waits until the request is draining and users have been told. */
function notified(r: Awaited<ReturnType<typeof rehearse>>) {
  return until("users told", async () => {
    const got = await r.k.getRequest(r.namespace, "to-neu");
    return got.status?.phase === "Draining" && (got.status.counters?.sessionsNotified ?? 0) > 0
      ? got
      : undefined;
  });
}
