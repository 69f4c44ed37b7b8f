// `avd-dr status` and `kubectl avddr status` against the real API server, with plans the operator
// has observed in the emulator: the table, the reasons below it, and kubectl's namespace rules.
import { stripVTControlCharacters as plain } from "node:util";
import { describe, expect, it } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition } from "../../src/api/index.ts";
import { EXIT } from "../../src/cli/command-io.ts";
import { rehearsalPlan } from "../../src/cli/rehearsal.ts";
import { status } from "../../src/cli/status.ts";
import { until } from "../operator/fixtures.ts";
import { freshNamespace, testKubeconfigPath } from "../support/kube.ts";
import { rehearsals } from "../support/rehearsal.ts";
import { KUBECTL_AVDDR, kubeconfigWithNamespace, planReady, run, runBin, testIo } from "./support.ts";

const rehearse = rehearsals();

describe("avd-dr status", () => {
  it("shows each plan's readiness in a table and, below it, why a condition is not True", async () => {
    const r = await rehearse("StandbyHostPool");
    await planReady(r);
    // A plan naming host pools that do not exist in Azure cannot be Ready.
    const broken = rehearsalPlan("StandbyHostPool", r.sim.info, { name: "broken" });
    broken.spec.primary.hostPools = ["hp-missing"];
    broken.spec.secondary.hostPools = ["hp-missing-too"];
    await r.k.createPlan(r.namespace, broken);
    const observed = await until(
      "the broken plan observed",
      async () => {
        const p = await r.k.getPlan(r.namespace, "broken");
        const ready = getCondition(p.status?.conditions, "Ready");
        return ready?.status === "False" && ready.reason !== "Reconciling" ? p : undefined;
      },
      30_000,
    );
    const good: AvdDisasterRecoveryPlan = await r.k.getPlan(r.namespace, r.planName);

    const io = testIo();
    const code = await run(io, () =>
      status({ kubeconfig: testKubeconfigPath(), namespace: r.namespace }, io),
    );
    expect(code).toBe(EXIT.ok);
    const lines = plain(io.out.text).split("\n");
    expect(lines[0]).toMatch(
      /^NAME\s+STRATEGY\s+ACTIVE\s+READY\s+PROTECTED\s+STANDBY-DEALLOCATED\s+FAILOVER-READY\s+WORST-RPO\s+LAST-FAILOVER\s+RTO$/,
    );
    const row = lines.find((l) => l.startsWith(`${r.planName} `))!.split(/\s{3,}/);
    const conditionOf = (type: string) => getCondition(good.status?.conditions, type)?.status ?? "-";
    expect(row).toEqual([
      r.planName,
      "StandbyHostPool",
      "Primary (westeurope)",
      conditionOf("Ready"),
      conditionOf("Protected"),
      conditionOf("StandbyDeallocated"),
      conditionOf("FailoverReady"),
      "-",
      "-",
      "-",
    ]);
    // Every condition of the broken plan that is not True has its line with reason and message.
    const notTrue = (observed.status?.conditions ?? []).filter(
      (c) => c.status !== "True" && c.type !== "Reconciling" && c.type !== "Stalled",
    );
    expect(notTrue.length).toBeGreaterThan(0);
    for (const c of notTrue)
      expect(lines).toContain(`${r.namespace}/broken: ${c.type}=${c.status} ${c.reason}: ${c.message}`);
    expect(lines.filter((l) => l.startsWith(`${r.namespace}/${r.planName}:`))).toEqual([]);
  });

  it("as a kubectl plugin takes the context's namespace, and -A lists every namespace", async () => {
    const r = await rehearse("SharedHostPool", { operator: false });
    const kubeconfig = await kubeconfigWithNamespace(r.namespace);
    const here = await runBin(KUBECTL_AVDDR, ["status"], { KUBECONFIG: kubeconfig });
    expect(here.code).toBe(0);
    expect(plain(here.stdout)).toMatch(new RegExp(`^${r.planName}\\s+SharedHostPool\\s`, "m"));

    const all = await runBin(KUBECTL_AVDDR, ["status", "-A", "--kubeconfig", kubeconfig]);
    expect(all.code).toBe(0);
    expect(plain(all.stdout).split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+STRATEGY/);
    expect(plain(all.stdout)).toMatch(
      new RegExp(`^${r.namespace}\\s+${r.planName}\\s+SharedHostPool\\s`, "m"),
    );
    // Not observed by any operator: said so below the table.
    expect(all.stdout).toContain(`${r.namespace}/${r.planName}: no status yet`);
  });

  it("says when a namespace has no plans, and names a bad --context", async () => {
    const namespace = await freshNamespace("empty");
    const io = testIo();
    expect(await run(io, () => status({ kubeconfig: testKubeconfigPath(), namespace }, io))).toBe(EXIT.ok);
    expect(io.out.text).toBe(`No AvdDisasterRecoveryPlans found in namespace ${namespace}.\n`);

    const bad = testIo();
    const code = await run(bad, () =>
      status({ kubeconfig: testKubeconfigPath(), context: "prod-weu", namespace }, bad),
    );
    expect(code).toBe(EXIT.usage);
    expect(bad.err.text).toMatch(/--context prod-weu: no such context in the kubeconfig; it has avd-dr/);
  });
});
