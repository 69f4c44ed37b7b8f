// An offline rehearsal as a user sets it up, one per topology in config/sim/: `avd-dr sim` in its
// own process writes its info file; a Secret and a plan are made from the info; `avd-dr operator`
// runs with NODE_EXTRA_CA_CERTS set to the emulator's CA; the plan becomes Ready.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { getCondition, STRATEGIES } from "../../src/api/index.ts";
import { rehearsalPlan, rehearsalSecret, TOPOLOGY_FILES } from "../../src/cli/rehearsal.ts";
import type { SimInfo } from "../../src/sim/server.ts";
import { freshNamespace, testKubeConfig, testKubeconfigPath } from "../support/kube.ts";
import { avddr, until } from "./fixtures.ts";
import { MAIN, startOperatorProcess } from "./operator-process.ts";

const kc = testKubeConfig();
const k = avddr(kc);
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startSimProcess(topology: string): Promise<SimInfo> {
  const dir = await mkdtemp(join(tmpdir(), "avd-dr-rehearsal-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const infoFile = join(dir, "info.json");
  const child: ChildProcess = spawn(
    process.execPath,
    [MAIN, "sim", "--topology", topology, "--info-file", infoFile, "--time-scale", "0.01"],
    { cwd: join(import.meta.dirname, "..", ".."), stdio: "ignore" },
  );
  cleanups.push(() => child.kill("SIGKILL"));
  const info = await until(
    "the emulator's info file",
    async () => JSON.parse(await readFile(infoFile, "utf8")),
    20_000,
  );
  return { ...info, infoFile } as SimInfo & { infoFile: string };
}

describe("an offline rehearsal, as a user sets it up", () => {
  it.each(STRATEGIES)("%s: the plan for config/sim's topology becomes Ready", async (strategy) => {
    const info = (await startSimProcess(TOPOLOGY_FILES[strategy])) as SimInfo & { infoFile: string };
    const namespace = await freshNamespace(`rehearse-${strategy.toLowerCase()}`);
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: rehearsalSecret(info) });
    const plan = rehearsalPlan(strategy, info);
    await k.createPlan(namespace, plan);
    const op = await startOperatorProcess({
      kubeconfigPath: testKubeconfigPath(),
      namespace,
      leaderElect: false,
      args: [`--emulator-info=${info.infoFile}`],
      env: { NODE_EXTRA_CA_CERTS: info.caFile },
    });
    cleanups.push(() => op.child.kill("SIGKILL"));
    const ready = await until(
      `${strategy} plan Ready`,
      async () => {
        const p = await k.getPlan(namespace, plan.metadata.name!);
        return getCondition(p.status?.conditions, "Ready")?.status === "True" ? p : undefined;
      },
      30_000,
    );
    expect(getCondition(ready.status?.conditions, "FailoverReady")?.status).toBe("True");
    // The operator counted its ARM requests for its metrics.
    const metrics = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /avddr_azure_requests_total\{kind="GET Microsoft.DesktopVirtualization\/hostPools\/sessionHosts",result="ok"\} [1-9]/,
    );
    expect(metrics).toMatch(/avddr_plan_failover_ready\{namespace="[^"]+",plan="[^"]+"\} 1/);
  });
});
