// Pacing in the gateways: the same burst that meets 429s at the emulator goes through the
// gateways without one, because every SDK client of a subscription shares one pacer with
// ARM's buckets; a 429 that comes anyway (another client drained the bucket) is honoured
// once, after its Retry-After, not retried blindly.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { ArmPacer, pacerFor } from "../../src/azure/pacing.ts";
import { TokenBucket } from "../../src/azure/pacing-buckets.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { armToken, poolPath, raw, smallTopology } from "../sim/fixtures.ts";

const writes = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write";
const sendMessage = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/sendMessage/action";

let sim: RunningSim;
beforeEach(async () => {
  sim = await startSim({
    // 20 writes at once, then 10 a second of real time.
    topology: smallTopology({ throttling: { writes: { capacity: 20, refillPerSecond: 1 } } }),
    timeScale: 0.1,
  });
});
afterEach(() => sim.close());

describe("pacing", () => {
  it("a burst of 40 writes through the gateways meets no 429 (the same burst raw meets many)", async () => {
    const { desktopVirtualization: dv } = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10));
    const sessions = await dv.listUserSessions("rg-weu", "hp-weu");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? dv.setAllowNewSession("rg-weu", "hp-weu", "vm-c.contoso.local", i % 4 === 0)
          : dv.sendMessage(sessions[i % sessions.length]!, "Failover", "Save your work"),
      ),
    );
    expect(results).toHaveLength(40);
    expect(sim.admin.calls(writes) + sim.admin.calls(sendMessage)).toBe(40);
    expect(sim.admin.calls(writes, 429) + sim.admin.calls(sendMessage, 429)).toBe(0);
    expect(pacerFor(emulatorConnection(sim.info, sim.caPem)).waited.writes).toBeGreaterThan(0);

    sim.admin.reset();
    const token = await armToken(sim);
    const host = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-c.contoso.local?api-version=2024-04-03`;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        raw(sim, "PATCH", host, { token, body: JSON.stringify({ properties: { allowNewSession: true } }) }),
      ),
    );
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it("honours a 429 that comes anyway: one refusal, then the call succeeds after Retry-After", async () => {
    const { desktopVirtualization: dv } = createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10));
    await dv.listHostPools("rg-weu");
    // Another client empties the write bucket and switches refills off for a moment.
    await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ writes: { capacity: 1, refillPerSecond: 5 } }),
    });
    const token = await armToken(sim);
    const host = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-b.contoso.local?api-version=2024-04-03`;
    await raw(sim, "PATCH", host, { token, body: JSON.stringify({ properties: { allowNewSession: true } }) });
    const info = await dv.setAllowNewSession("rg-weu", "hp-weu", "vm-c.contoso.local", false);
    expect(info.allowNewSession).toBe(false);
    // The gateway's first try met the empty bucket; the SDK waited Retry-After and the retry passed.
    expect(sim.admin.calls(writes, 429)).toBe(1);
    expect(sim.admin.calls(writes, 200)).toBe(2);
  });
});

describe("token bucket", () => {
  it("hands out its capacity at once, then tokens at the refill rate", () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.waitMs(0)).toBe(500);
    expect(bucket.tryTake(499)).toBe(false);
    expect(bucket.tryTake(500)).toBe(true);
    expect(bucket.remaining(10_000)).toBe(3);
  });

  it("never hands out more than the service says is left, and nothing while blocked by a 429", () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1 }, 0);
    bucket.observeRemaining(2, 0);
    expect(bucket.remaining(0)).toBe(2);
    bucket.observeRemaining(8, 0);
    expect(bucket.remaining(0)).toBe(2);
    bucket.blockUntil(3000, 0);
    expect(bucket.tryTake(2999)).toBe(false);
    expect(bucket.waitMs(2000)).toBe(1000);
    expect(bucket.tryTake(4000)).toBe(true);
  });

  it("a pacer makes a request wait for its token, and lets a waiting one be aborted", async () => {
    const pacer = new ArmPacer({
      reads: { capacity: 1, refillPerSecond: 1000 },
      writes: { capacity: 1, refillPerSecond: 0 },
      deletes: { capacity: 1, refillPerSecond: 1 },
    });
    await pacer.acquire("writes");
    const aborted = new AbortController();
    const waiting = pacer.acquire("writes", aborted.signal);
    aborted.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    await pacer.acquire("reads");
    await pacer.acquire("reads");
    expect(pacer.waited.reads).toBe(1);
  });
});
