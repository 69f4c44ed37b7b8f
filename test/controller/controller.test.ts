// The controller runner with a scripted reconciler: what happens after success, error,
// terminal error and requeue-after, and the bound on concurrent reconciles.
import { afterEach, describe, expect, it } from "vitest";
import { Controller, type Reconciler } from "../../src/controller/controller.ts";
import { TerminalError } from "../../src/controller/errors.ts";
import { OperatorMetrics } from "../../src/controller/metrics.ts";
import { until } from "../operator/fixtures.ts";

const running: Controller[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

function start(reconciler: Reconciler, workers = 1) {
  const metrics = new OperatorMetrics({ processMetrics: false });
  const controller = new Controller({ name: "test", reconciler, maxConcurrentReconciles: workers, metrics });
  running.push(controller);
  return { controller, metrics, started: controller.start() };
}

async function resultCount(metrics: OperatorMetrics, result: string): Promise<number> {
  const m = await metrics.reconcileTotal.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe("controller runner", () => {
  it("retries a failing key with growing backoff and forgets its failures after a success", async () => {
    const times: number[] = [];
    const { controller, metrics, started } = start({
      async reconcile() {
        times.push(performance.now());
        if (times.length <= 4) throw new Error("Azure said no");
        return undefined;
      },
    });
    await started;
    controller.queue.add("ns/a");
    await until("the fifth attempt", () => times.length === 5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 5, 10, 20, 40 ms: each wait at least the backoff, and the last clearly longer than the first.
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(5 * 2 ** i - 1);
    expect(await resultCount(metrics, "error")).toBe(4);
    await until("the success to be counted", () => controller.queue.retries("ns/a") === 0);
    expect(await resultCount(metrics, "success")).toBe(1);
  });

  it("does not retry a terminal error until the key is added again", async () => {
    let calls = 0;
    const { controller, metrics, started } = start({
      async reconcile() {
        calls++;
        throw new TerminalError("spec.strategy is not something this operator can do");
      },
    });
    await started;
    controller.queue.add("ns/a");
    await until("the first attempt", () => calls === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    expect(await resultCount(metrics, "terminal")).toBe(1);
    controller.queue.add("ns/a");
    await until("the second attempt", () => calls === 2);
  });

  it("reconciles again after requeueAfter even though nothing changed", async () => {
    let calls = 0;
    const { controller, started } = start({
      async reconcile() {
        calls++;
        return calls < 3 ? { requeueAfterMs: 30 } : undefined;
      },
    });
    await started;
    const t0 = performance.now();
    controller.queue.add("ns/a");
    await until("three reconciles", () => calls === 3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(59);
  });

  it("runs at most maxConcurrentReconciles at once and never one key twice at once", async () => {
    let now = 0;
    let peak = 0;
    const inFlight = new Set<string>();
    let overlaps = 0;
    let done = 0;
    const { controller, started } = start(
      {
        async reconcile(key) {
          if (inFlight.has(key)) overlaps++;
          inFlight.add(key);
          peak = Math.max(peak, ++now);
          await new Promise((r) => setTimeout(r, 3));
          // Half the time the object changes while we work on it.
          if (Math.random() < 0.5) controller.queue.add(key);
          now--;
          inFlight.delete(key);
          done++;
          return undefined;
        },
      },
      3,
    );
    await started;
    for (let i = 0; i < 60; i++) controller.queue.add(`ns/k${i % 20}`);
    await until(
      "the queue to drain",
      () => done >= 20 && controller.queue.length === 0 && controller.queue.processing === 0,
    );
    expect(peak).toBe(3);
    expect(overlaps).toBe(0);
  });

  it("keeps working when a reconciler throws something that is not an Error", async () => {
    let calls = 0;
    const { controller, started } = start({
      async reconcile() {
        calls++;
        if (calls === 1) throw "a string, not an Error";
        return undefined;
      },
    });
    await started;
    controller.queue.add("ns/a");
    await until("the retry", () => calls === 2);
  });

  it("on shutdown takes no new keys and lets a running reconcile finish within the grace period", async () => {
    const started: string[] = [];
    let finished = false;
    let abortedWhileRunning = false;
    const { controller, started: ready } = start({
      async reconcile(key, signal) {
        started.push(key);
        await new Promise((r) => setTimeout(r, 100));
        abortedWhileRunning = signal.aborted;
        finished = true;
        return undefined;
      },
    });
    await ready;
    controller.queue.add("ns/running");
    await until("the first reconcile", () => started.length === 1);
    controller.queue.add("ns/queued");
    await controller.stop(5000);
    expect(finished).toBe(true);
    expect(abortedWhileRunning).toBe(false);
    expect(started).toEqual(["ns/running"]);
  });

  it("stops at once when the lease is lost: the running reconcile sees its signal aborted", async () => {
    let seenAbort = false;
    const { controller, started: ready } = start({
      async reconcile(_key, signal) {
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true }),
        );
        seenAbort = signal.aborted;
        return undefined;
      },
    });
    await ready;
    controller.queue.add("ns/long");
    await until("the reconcile to start", () => controller.queue.processing === 1);
    const t0 = performance.now();
    await controller.stop(0);
    expect(seenAbort).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("rejects a worker count that is not a positive integer", () => {
    expect(
      () =>
        new Controller({
          name: "x",
          reconciler: { reconcile: async () => undefined },
          maxConcurrentReconciles: 0,
        }),
    ).toThrow(/maxConcurrentReconciles must be a positive integer, got 0/);
  });
});
