// ARM throttling in the emulator: token buckets per subscription and call class, the
// remaining-count headers, 429 with Retry-After when a bucket is empty, refill over
// simulated time, and limits changed through the admin API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { pacerFor } from "../../src/azure/pacing.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { armToken, poolPath, raw, smallTopology } from "./fixtures.ts";

let sim: RunningSim;
let token: string;
beforeEach(async () => {
  // 20 writes at once, then one every 10 simulated seconds (100 ms of real time at this scale).
  sim = await startSim({
    topology: smallTopology({
      throttling: {
        writes: { capacity: 20, refillPerSecond: 0.1 },
        reads: { capacity: 5, refillPerSecond: 1 },
      },
    }),
    timeScale: 0.01,
  });
  token = await armToken(sim);
});
afterEach(() => sim.close());

const host = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-c.contoso.local?api-version=2024-04-03`;
const patch = () =>
  raw(sim, "PATCH", host, { token, body: JSON.stringify({ properties: { allowNewSession: true } }) });

describe("ARM throttling", () => {
  it("counts down the bucket in x-ms-ratelimit-remaining-subscription-writes", async () => {
    const first = await patch();
    const second = await patch();
    expect(first.status).toBe(200);
    const remaining = [first, second].map((r) =>
      Number(r.headers["x-ms-ratelimit-remaining-subscription-writes"]),
    );
    expect(remaining[0]).toBeLessThanOrEqual(19);
    expect(remaining[1]).toBeLessThan(remaining[0]!);
    const read = await raw(sim, "GET", host, { token });
    expect(read.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBeDefined();
    expect(read.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBeUndefined();
  });

  it("answers a burst beyond the bucket with 429 SubscriptionRequestsThrottled and Retry-After", async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, patch));
    const throttled = answers.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(20);
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(20);
    const refused = throttled[0]!;
    expect(refused.body.error.code).toBe("SubscriptionRequestsThrottled");
    expect(refused.body.error.message).toMatch(/Number of 'write' requests for subscription/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Ten simulated seconds per token: at most 100 ms of real time at this scale.
    expect(Number(refused.headers["x-ms-retry-after-ms"])).toBeGreaterThan(0);
    expect(Number(refused.headers["x-ms-retry-after-ms"])).toBeLessThanOrEqual(100);
    expect(sim.admin.calls("Microsoft.DesktopVirtualization/hostpools/sessionhosts/write", 429)).toBe(
      throttled.length,
    );
    // Refused writes change nothing and are not in the audit log.
    expect(
      sim.admin.audit({ operation: "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write" }).length,
    ).toBe(answers.length - throttled.length);
  });

  it("keeps the buckets apart: reads still pass when writes are exhausted", async () => {
    await Promise.all(Array.from({ length: 40 }, patch));
    expect((await patch()).status).toBe(429);
    expect((await raw(sim, "GET", host, { token })).status).toBe(200);
  });

  it("refills over simulated time", async () => {
    await Promise.all(Array.from({ length: 40 }, patch));
    await new Promise((r) => setTimeout(r, 250));
    expect((await patch()).status).toBe(200);
  });

  it("takes new limits, or none, through the admin API, and refuses a bad body naming the field", async () => {
    const bad = await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ writes: { capacity: 0, refillPerSecond: 1 } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/writes\/capacity/);
    const off = await raw(sim, "PUT", "/admin/throttling", { body: JSON.stringify({ enabled: false }) });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, writes: { capacity: 200, refillPerSecond: 10 } });
    const answers = await Promise.all(Array.from({ length: 60 }, patch));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const small = await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ writes: { capacity: 2, refillPerSecond: 0 } }),
    });
    expect(small.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await patch()).status);
    expect(statuses).toEqual([200, 200, 429]);
    // Reset goes back to the topology's limits.
    sim.admin.reset();
    expect((await raw(sim, "GET", "/admin/throttling")).body).toMatchObject({
      enabled: true,
      writes: { capacity: 20 },
    });
  });

  it("tells clients its buckets in real time in the info, or that it does not throttle", async () => {
    expect(sim.info.pacing).toMatchObject({
      writes: { capacity: 20, refillPerSecond: 10 },
      deletes: { capacity: 200, refillPerSecond: 1000 },
    });
    const unthrottled = await startSim({
      topology: smallTopology({ throttling: { enabled: false } }),
      timeScale: 0.01,
    });
    try {
      expect(unthrottled.info.pacing).toBe(false);
      // Gateways for it send without pacing: a burst far beyond ARM's buckets goes straight through.
      const { desktopVirtualization: dv } = createAzureGateways(
        emulatorConnection(unthrottled.info, unthrottled.caPem),
      );
      await Promise.all(
        Array.from({ length: 300 }, () =>
          dv.setAllowNewSession("rg-weu", "hp-weu", "vm-c.contoso.local", true),
        ),
      );
      expect(
        unthrottled.admin.calls("Microsoft.DesktopVirtualization/hostpools/sessionhosts/write", 200),
      ).toBe(300);
      expect(pacerFor(emulatorConnection(unthrottled.info, unthrottled.caPem)).waited.writes).toBe(0);
    } finally {
      await unthrottled.close();
    }
  });
});
