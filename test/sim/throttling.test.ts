// ARM throttling in the emulator: token buckets per subscription, principal and call class and
// the subscription's global buckets, the remaining-count headers of both, ARM's 429 with an
// integer Retry-After when a bucket is empty, refill over simulated time, and limits changed
// through the admin API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCredential, emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { pacerFor } from "../../src/azure/pacing.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { armToken, ids, poolPath, raw, smallTopology } from "./fixtures.ts";

const second = { clientId: "0f0e0d0c-0000-4000-8000-0000000000c2", clientSecret: "second-secret-value" };

let sim: RunningSim;
let token: string;
beforeEach(async () => {
  // 20 writes at once, then one every 10 simulated seconds (100 ms of real time at this scale).
  sim = await startSim({
    topology: smallTopology({
      principals: [{ clientId: ids.client, clientSecret: ids.secret }, second],
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
const patch = (as = token) =>
  raw(sim, "PATCH", host, { token: as, body: JSON.stringify({ properties: { allowNewSession: true } }) });

async function secondToken(): Promise<string> {
  const connection = emulatorConnection(sim.info, sim.caPem);
  const credential = createCredential({
    ...connection,
    credential: { kind: "clientSecret", tenantId: ids.tenant, ...second },
  });
  return (await credential.getToken("https://management.azure.com/.default"))!.token;
}

const throttledMessage = (kind: string, actor: string) =>
  new RegExp(
    `^Number of '${kind}' requests for subscription '${ids.subscription}' actor '${actor}' exceeded\\. Please try again after '(\\d+)' seconds after additional tokens are available\\. Refer to https://aka\\.ms/arm-throttling for additional information\\.$`,
  );

describe("ARM throttling", () => {
  it("counts down the principal's and the global bucket in the remaining-count headers", async () => {
    // Buckets that do not refill, so that the counts are exact.
    await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({
        writes: { capacity: 20, refillPerSecond: 0 },
        reads: { capacity: 5, refillPerSecond: 0 },
      }),
    });
    const [first, next] = [await patch(), await patch()];
    expect(first.status).toBe(200);
    expect(first.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("19");
    expect(first.headers["x-ms-ratelimit-remaining-subscription-global-writes"]).toBe("299");
    expect(next.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("18");
    expect(next.headers["x-ms-ratelimit-remaining-subscription-global-writes"]).toBe("298");
    const read = await raw(sim, "GET", host, { token });
    expect(read.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBe("4");
    expect(read.headers["x-ms-ratelimit-remaining-subscription-global-reads"]).toBe("74");
    expect(read.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBeUndefined();
  });

  it("answers a burst beyond the bucket with ARM's 429: its message, the actor, an integer Retry-After", async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => patch()));
    const throttled = answers.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(20);
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(20);
    const refused = throttled[0]!;
    expect(refused.body.error.code).toBe("SubscriptionRequestsThrottled");
    const waitSeconds = Number(throttledMessage("write", ids.client).exec(refused.body.error.message)?.[1]);
    // A token every ten simulated seconds: the message says so, in simulated seconds ...
    expect(waitSeconds).toBeGreaterThanOrEqual(1);
    expect(waitSeconds).toBeLessThanOrEqual(10);
    // ... while Retry-After is what the client sleeps: 100 ms of real time at most, rounded up to a whole second.
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.headers["x-ms-retry-after-ms"]).toBeUndefined();
    expect(refused.headers["retry-after-ms"]).toBeUndefined();
    expect(refused.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("0");
    expect(sim.admin.calls("Microsoft.DesktopVirtualization/hostpools/sessionhosts/write", 429)).toBe(
      throttled.length,
    );
    // Refused writes change nothing and are not in the audit log.
    expect(
      sim.admin.audit({ operation: "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write" }).length,
    ).toBe(answers.length - throttled.length);
  });

  it("keeps the buckets apart: reads still pass when writes are exhausted", async () => {
    await Promise.all(Array.from({ length: 40 }, () => patch()));
    expect((await patch()).status).toBe(429);
    expect((await raw(sim, "GET", host, { token })).status).toBe(200);
  });

  it("gives each principal a bucket of its own, and refuses any of them once the global bucket is empty", async () => {
    await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({
        writes: { capacity: 3, refillPerSecond: 0 },
        global: { writes: { capacity: 5, refillPerSecond: 0 } },
      }),
    });
    const other = await secondToken();
    const firstPrincipal = [];
    for (let i = 0; i < 4; i++) firstPrincipal.push((await patch()).status);
    expect(firstPrincipal).toEqual([200, 200, 200, 429]);
    // The second principal's own bucket is full, but only two global tokens are left.
    const secondPrincipal = [await patch(other), await patch(other), await patch(other)];
    expect(secondPrincipal.map((r) => r.status)).toEqual([200, 200, 429]);
    const refused = secondPrincipal[2]!;
    expect(refused.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("1");
    expect(refused.headers["x-ms-ratelimit-remaining-subscription-global-writes"]).toBe("0");
    expect(refused.body.error.message).toMatch(throttledMessage("write", second.clientId));
  });

  it("refills over simulated time", async () => {
    await Promise.all(Array.from({ length: 40 }, () => patch()));
    await new Promise((r) => setTimeout(r, 250));
    expect((await patch()).status).toBe(200);
  });

  it("takes new limits, or none, through the admin API, and refuses a bad body naming the field", async () => {
    const bad = await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ writes: { capacity: 0, refillPerSecond: 1 } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/writes\/capacity/);
    const badGlobal = await raw(sim, "PUT", "/admin/throttling", {
      body: JSON.stringify({ global: { reads: { capacity: 10 } } }),
    });
    expect(badGlobal.status).toBe(400);
    expect(badGlobal.body.error.message).toMatch(/global\/reads\/refillPerSecond/);
    const off = await raw(sim, "PUT", "/admin/throttling", { body: JSON.stringify({ enabled: false }) });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({
      enabled: false,
      writes: { capacity: 200, refillPerSecond: 10 },
      global: { writes: { capacity: 3000, refillPerSecond: 150 } },
    });
    const answers = await Promise.all(Array.from({ length: 60 }, () => patch()));
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
      global: { writes: { capacity: 300 } },
    });
  });

  it("tells clients its limits in real time in the info, or that it does not throttle", async () => {
    expect(sim.info.pacing.arm).toMatchObject({
      writes: { capacity: 20, refillPerSecond: 10 },
      deletes: { capacity: 200, refillPerSecond: 1000 },
    });
    const unthrottled = await startSim({
      topology: smallTopology({ throttling: { enabled: false }, computeThrottling: { enabled: false } }),
      timeScale: 0.01,
    });
    try {
      expect(unthrottled.info.pacing).toEqual({ arm: false, compute: false });
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
