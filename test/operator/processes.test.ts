// Real `avd-dr operator` processes: leader election between them, hand-over on SIGTERM,
// take-over after kill -9, exit on a lost lease, and their metrics and health endpoints.
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { freshNamespace, testKubeConfig, testKubeconfigPath } from "../support/kube.ts";
import { avddr, plan, seizeLease, until } from "./fixtures.ts";
import { leaseHolder, MAIN, type OperatorProcess, startOperatorProcess } from "./operator-process.ts";

const LEASE_MS = 4000;
const RETRY_MS = 500;
const kc = testKubeConfig();
const k = avddr(kc);

const started: OperatorProcess[] = [];
afterAll(() => {
  for (const op of started) op.child.kill("SIGKILL");
});

async function startOperator(namespace: string): Promise<OperatorProcess> {
  const op = await startOperatorProcess({
    kubeconfigPath: testKubeconfigPath(),
    namespace,
    timings: { leaseDuration: `${LEASE_MS}ms`, renewDeadline: "3s", retryPeriod: `${RETRY_MS}ms` },
  });
  started.push(op);
  return op;
}

const holder = (namespace: string) => leaseHolder(kc, namespace);

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

const reconciled = (namespace: string, name: string) =>
  until(
    `${name} reconciled`,
    async () => (await k.getPlan(namespace, name)).status?.observedGeneration === 1 || undefined,
  );

describe("operator processes", () => {
  it("elect one leader; a standby takes over after kill -9 and at once after SIGTERM", async () => {
    const namespace = await freshNamespace("processes");
    const a = await startOperator(namespace);
    const b = await startOperator(namespace);
    const first = await until("a leader", async () => (await holder(namespace)) || undefined);
    const [leader, standby] = first === a.identity ? [a, b] : [b, a];
    expect([a.identity, b.identity]).toContain(first);

    await k.createPlan(namespace, plan("p1"));
    await reconciled(namespace, "p1");

    // Both answer their probes; only the leader says it leads.
    for (const op of [leader, standby]) {
      expect(await get(op.probePort, "/healthz")).toEqual({ status: 200, body: "ok\n" });
      expect(await get(op.probePort, "/readyz")).toEqual({ status: 200, body: "ok\n" });
    }
    const leaderMetrics = (await get(leader.metricsPort, "/metrics")).body;
    expect(leaderMetrics).toContain('leader_election_master_status{name="avd-dr-operator"} 1');
    expect(leaderMetrics).toMatch(
      /controller_runtime_reconcile_total\{controller="avddisasterrecoveryplan",result="requeue_after"\} [1-9]/,
    );
    expect(leaderMetrics).toContain('workqueue_depth{name="failoverrequest"}');
    expect(leaderMetrics).toContain("process_resident_memory_bytes");
    expect((await get(standby.metricsPort, "/metrics")).body).not.toContain(
      'leader_election_master_status{name="avd-dr-operator"} 1',
    );
    expect((await get(leader.metricsPort, "/nope")).status).toBe(404);

    // kill -9: no release; the standby waits out the lease, then leads and reconciles.
    leader.child.kill("SIGKILL");
    const killedAt = performance.now();
    await until("the standby to lead", async () =>
      (await holder(namespace)) === standby.identity ? true : undefined,
    );
    const takeover = performance.now() - killedAt;
    expect(takeover).toBeLessThan(LEASE_MS + 3 * RETRY_MS + 1500);
    await k.createPlan(namespace, plan("p2"));
    await reconciled(namespace, "p2");

    // SIGTERM: the leader releases the lease on its way out; a new standby leads at once.
    const c = await startOperator(namespace);
    await until("c to be ready", async () =>
      (await get(c.probePort, "/readyz")).status === 200 ? true : undefined,
    );
    standby.child.kill("SIGTERM");
    const termAt = performance.now();
    await until("c to lead", async () => ((await holder(namespace)) === c.identity ? true : undefined));
    const handover = performance.now() - termAt;
    expect(await standby.exited).toBe(0);
    // Without the release it could not be less than a lease duration.
    expect(handover).toBeLessThan(LEASE_MS);
    expect(standby.lines.some((l) => l.msg === "released the leader lease")).toBe(true);
    await k.createPlan(namespace, plan("p3"));
    await reconciled(namespace, "p3");

    // A leader that finds the lease taken stops reconciling and exits for a restart as a standby.
    await seizeLease(kc, namespace, "someone-else");
    expect(await c.exited).toBe(1);
    expect(c.lines.some((l) => l.msg === "leader election lost; controllers stopped")).toBe(true);
  });

  it.each([
    {
      given: ["--max-concurrent-reconciles=0"],
      env: {},
      message: '--max-concurrent-reconciles must be a positive integer, got "0"',
    },
    {
      given: [],
      env: { SYNC_PERIOD: "10x" },
      message: '--sync-period must be a duration such as 15s, 500ms or 1m30s, got "10x"',
    },
    { given: [], env: { LEADER_ELECT: "maybe" }, message: 'LEADER_ELECT must be true or false, got "maybe"' },
  ])("refuses a bad setting with a message naming it: $message", async ({ given, env, message }) => {
    const child = spawn(process.execPath, [MAIN, "operator", "--kubeconfig=/dev/null", ...given], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toBe(`avd-dr operator: ${message}\n`);
  });
});
