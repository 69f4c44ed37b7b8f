// The operator process killed (SIGKILL) at random instants during a failover, several times in
// one run: the request still finishes, every ASR failover, commit and reprotect was sent exactly
// once per target, and nobody was logged off before their notice plus the grace period. The
// evidence is the emulator's audit log, not the operator's own account.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../operator/fixtures.ts";
import { type OperatorProcess, startOperatorProcess } from "../operator/operator-process.ts";
import { testKubeconfigPath } from "../support/kube.ts";
import { rehearsals } from "../support/rehearsal.ts";
import {
  expectExactlyOnce,
  expectNoEarlyLogOff,
  expectSucceeded,
  finished,
  requestFailover,
} from "./support.ts";

const rehearse = rehearsals();
const running: OperatorProcess[] = [];
afterEach(() => {
  for (const op of running.splice(0)) op.child.kill("SIGKILL");
});

/** Deterministic "random" delays (ms), so that a failing run can be repeated. */
function* instants(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    yield x % 500;
  }
}

describe("killing the operator during a failover", () => {
  // Time scales that make each failover last long enough (about ten real seconds) to be killed in.
  it.each([
    ["SiteRecovery", 20251201, 0.004],
    ["StandbyHostPool", 7, 0.02],
  ] as const)(
    "%s: finishes with exactly-once effects and no early log-off (seed %d)",
    async (strategy, seed, timeScale) => {
      const r = await rehearse(strategy, {
        operator: false,
        timeScale,
        spec: {
          drain: { gracePeriod: "120s" },
          ...(strategy === "SiteRecovery"
            ? { siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" } }
            : {}),
        },
      });
      const infoFile = join(r.sim.info.caFile, "..", "info.json");
      await writeFile(infoFile, JSON.stringify(r.sim.info));
      const start = async () => {
        const op = await startOperatorProcess({
          kubeconfigPath: testKubeconfigPath(),
          namespace: r.namespace,
          leaderElect: false,
          args: [`--emulator-info=${infoFile}`],
          env: { NODE_EXTRA_CA_CERTS: r.sim.info.caFile },
        });
        running.push(op);
        return op;
      };
      await requestFailover(r, "to-neu", strategy === "SiteRecovery" ? { reprotect: true } : {});
      const wait = instants(seed);
      let kills = 0;
      for (; kills < 6; kills++) {
        const seen = (await r.k.getRequest(r.namespace, "to-neu")).metadata?.resourceVersion;
        const op = await start();
        // Each process is killed while it works, however slow the machine: once it has written the
        // request, at a "random" instant after that.
        await until(
          "the operator to write the request",
          async () =>
            (await r.k.getRequest(r.namespace, "to-neu")).metadata?.resourceVersion !== seen || undefined,
          60_000,
        );
        await new Promise((resolve) => setTimeout(resolve, wait.next().value));
        op.child.kill("SIGKILL");
        await op.exited;
        const phase = (await r.k.getRequest(r.namespace, "to-neu")).status?.phase;
        if (phase === "Succeeded" || phase === "Failed") break;
      }
      await start();
      const done = await finished(r, "to-neu", 120_000);
      expectSucceeded(done);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(expectNoEarlyLogOff(r.sim, 120)).toBe(4);
      expectExactlyOnce(r.sim, strategy === "SiteRecovery" ? 5 : 0);
    },
  );
});
