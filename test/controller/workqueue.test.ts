import { afterEach, describe, expect, it, vi } from "vitest";
import { ExponentialRateLimiter } from "../../src/controller/rate-limiter.ts";
import { WorkQueue } from "../../src/controller/workqueue.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("work queue", () => {
  it("queues a key at most once however often it is added", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe("ns/a");
    expect(await queue.get()).toBe("ns/b");
    expect(queue.length).toBe(0);
  });

  it("hands keys out in the order they were first added", async () => {
    const queue = new WorkQueue();
    for (const key of ["c", "a", "b", "a", "c"]) queue.add(key);
    const got = [await queue.get(), await queue.get(), await queue.get()];
    expect(got).toEqual(["c", "a", "b"]);
  });

  it("never hands a key to a second worker while the first holds it, and re-runs it after", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    const first = await queue.get();
    expect(first).toBe("ns/a");

    // The object changes while worker 1 reconciles it.
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.length).toBe(0);
    let second: string | undefined;
    const waiting = queue.get().then((key) => {
      second = key;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();

    queue.done("ns/a");
    await waiting;
    expect(second).toBe("ns/a");
    queue.done("ns/a");
    expect(queue.length).toBe(0);
    expect(queue.processing).toBe(0);
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const queue = new WorkQueue();
    const got = queue.get();
    queue.add("ns/late");
    expect(await got).toBe("ns/late");
  });

  it("under many workers and random re-adds, runs no key twice at once and loses no re-add", async () => {
    const queue = new WorkQueue();
    const keys = Array.from({ length: 20 }, (_, i) => `ns/k${i}`);
    const running = new Set<string>();
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let clock = 0;
    let overlaps = 0;
    let stopAdding = false;

    const worker = async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        if (running.has(key)) overlaps++;
        running.add(key);
        lastStart.set(key, ++clock);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
        running.delete(key);
        queue.done(key);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const adder = (async () => {
      while (!stopAdding) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        lastAdd.set(key, ++clock);
        queue.add(key);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    stopAdding = true;
    await adder;
    // Let the queue drain, then stop the workers.
    while (queue.length > 0 || queue.processing > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await queue.shutDown();
    await Promise.all(workers);

    expect(overlaps).toBe(0);
    for (const [key, added] of lastAdd) {
      // Every add is followed by a processing that started after it.
      expect(lastStart.get(key), key).toBeGreaterThan(added);
    }
  });

  it("adds a key after a delay; an earlier deadline replaces a later one, a later one is ignored", async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 1000);
    queue.addAfter("ns/a", 5000);
    queue.addAfter("ns/b", 500);
    queue.addAfter("ns/b", 100);
    vi.advanceTimersByTime(99);
    expect(queue.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("ns/b");
    vi.advanceTimersByTime(900);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("ns/a");
    queue.done("ns/a");
    queue.done("ns/b");
    vi.advanceTimersByTime(10_000);
    expect(queue.length).toBe(0);
  });

  it("backs a failing key off exponentially and starts over once forgotten", () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/a");
    expect(queue.retries("ns/a")).toBe(2);
    vi.advanceTimersByTime(4);
    expect(queue.length).toBe(0);
    // The first (5 ms) deadline is the earlier one and wins.
    vi.advanceTimersByTime(1);
    expect(queue.length).toBe(1);
    queue.forget("ns/a");
    expect(queue.retries("ns/a")).toBe(0);
  });

  it("ignores adds after shut down, releases waiting workers and waits for running ones", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.add("ns/b");
    const held = await queue.get();
    const idle = queue.get();
    const idle2Result = await Promise.race([idle, Promise.resolve("pending")]);
    expect(idle2Result).toBe("ns/b");
    const waiter = queue.get();

    let stopped = false;
    const stopping = queue.shutDown().then(() => {
      stopped = true;
    });
    expect(await waiter).toBeUndefined();
    queue.add("ns/c");
    expect(queue.length).toBe(0);
    await Promise.resolve();
    expect(stopped).toBe(false);
    queue.done(held!);
    queue.done("ns/b");
    await stopping;
    expect(stopped).toBe(true);
    expect(await queue.get()).toBeUndefined();
  });

  it("reports depth, latency and retries to its observer", async () => {
    const depths: number[] = [];
    const latencies: number[] = [];
    let retries = 0;
    let adds = 0;
    const queue = new WorkQueue({
      observer: {
        depth: (d) => depths.push(d),
        latency: (ms) => latencies.push(ms),
        retried: () => retries++,
        added: () => adds++,
      },
    });
    queue.add("a");
    queue.add("b");
    queue.add("a");
    await queue.get();
    queue.addRateLimited("a");
    expect(depths).toEqual([1, 2, 1]);
    expect(adds).toBe(2);
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(0);
    expect(retries).toBe(1);
  });
});

describe("exponential rate limiter", () => {
  it("waits 5 ms doubling per failure, capped at 1000 s, per key", () => {
    const limiter = new ExponentialRateLimiter<string>();
    const delays = Array.from({ length: 6 }, () => limiter.when("a"));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160]);
    expect(limiter.when("b")).toBe(5);
    for (let i = 0; i < 30; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    for (let i = 0; i < 2000; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    limiter.forget("a");
    expect(limiter.when("a")).toBe(5);
  });

  it("rejects a base delay above its cap", () => {
    expect(() => new ExponentialRateLimiter(10, 5)).toThrow(/base \(10\) <= max \(5\)/);
  });
});
