// Pacing in the gateways: the same burst that meets 429s at the emulator goes through the
// gateways without one, because every SDK client of a subscription shares one pacer with
// ARM's buckets; a 429 that comes anyway (another client drained the bucket) is honoured
// once, after its Retry-After, not retried blindly.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeLimits } from "../../src/azure/compute-policies.ts";
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
});

/** A clock the pacer reads and sleeps on: sleeping moves it on at once. */
function fakeClock() {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number, abortSignal?: AbortSignal) => {
      abortSignal?.throwIfAborted();
      clock.t += ms;
    },
  };
  return clock;
}

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] });
const bucket = (capacity: number, refillPerSecond: number) => ({ capacity, refillPerSecond });
const arm = { reads: bucket(10, 10), writes: bucket(100, 1), deletes: bucket(1, 0) };
const vm = (n: number, action: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${n}/${action}`;

/** One request through the pacer, answered at once. */
async function answered(
  pacer: ArmPacer,
  method: string,
  path: string,
  status: number,
  values: Record<string, string>,
) {
  const request = await pacer.admit(method, path);
  request.answered(status, headers(values));
  request.done();
}

const remainingResource = (...entries: string[]) => entries.map((e) => `Microsoft.Compute/${e}`).join(",");

/** When each request got through the pacer (the fake clock's time), admitted one after the other. */
async function admittedAt(
  pacer: ArmPacer,
  clock: { t: number },
  requests: [string, string][],
): Promise<number[]> {
  const times = [];
  for (const [method, path] of requests) {
    (await pacer.admit(method, path)).done();
    times.push(clock.t);
  }
  return times;
}

describe("pacer", () => {
  it("hands out a lane's burst at once, then a token per refill interval", async () => {
    const clock = fakeClock();
    const pacer = new ArmPacer({ arm, compute: false }, clock, 0);
    // Ten reads refilling 10/s: the burst holds back half a second of refill (at most a tenth), so nine at once.
    const times = await admittedAt(
      pacer,
      clock,
      Array.from({ length: 11 }, () => ["GET", "/subscriptions/s"]),
    );
    expect(times).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200]);
    expect(pacer.waited.reads).toBe(2);
  });

  it("lowers a lane to ARM's remaining count, the global one included, less the requests on their way", async () => {
    const clock = fakeClock();
    const pacer = new ArmPacer({ arm, compute: false }, clock, 0);
    const first = await pacer.admit("PATCH", "/subscriptions/s/x");
    const second = await pacer.admit("PATCH", "/subscriptions/s/y");
    first.answered(
      200,
      headers({
        "x-ms-ratelimit-remaining-subscription-writes": "40",
        "x-ms-ratelimit-remaining-subscription-global-writes": "3",
      }),
    );
    first.done();
    second.done();
    // Three left globally, one of them for the request still on its way when the answer came.
    const times = await admittedAt(
      pacer,
      clock,
      Array.from({ length: 3 }, () => ["POST", "/subscriptions/s/a"]),
    );
    expect(times).toEqual([0, 0, 1000]);
  });

  it("closes ARM's lane until Retry-After on ARM's 429, not on a resource provider's", async () => {
    const clock = fakeClock();
    const pacer = new ArmPacer({ arm, compute: false }, clock, 0);
    await answered(pacer, "POST", vm(1, "start"), 429, {
      "retry-after": "30",
      "x-ms-ratelimit-remaining-resource": remainingResource("UpdateVMResource;0"),
    });
    expect(await admittedAt(pacer, clock, [["PATCH", "/subscriptions/s/a"]])).toEqual([0]);
    await answered(pacer, "PATCH", "/subscriptions/s/b", 429, { "retry-after": "3" });
    // Writes wait for Retry-After, and then for a token to refill (one a second); reads do not.
    expect(
      await admittedAt(pacer, clock, [
        ["GET", "/subscriptions/s"],
        ["PATCH", "/subscriptions/s/c"],
      ]),
    ).toEqual([0, 4000]);
  });

  it("holds power actions back by their Compute policy, lowered to what x-ms-ratelimit-remaining-resource says", async () => {
    const clock = fakeClock();
    const compute = { ...computeLimits, UpdateVM: { subscription: bucket(100, 2) } };
    const pacer = new ArmPacer({ arm: false, compute }, clock, 0);
    await answered(pacer, "POST", vm(0, "start"), 202, {
      "x-ms-ratelimit-remaining-resource": remainingResource(
        "UpdateVMSubscriptionMaximum;2",
        "UpdateVMResource;11",
      ),
    });
    const starts = await admittedAt(pacer, clock, [
      ["POST", vm(1, "start")],
      ["POST", vm(2, "powerOff")],
      ["POST", vm(3, "start")],
    ]);
    expect(starts).toEqual([0, 0, 500]);
    expect(pacer.waited.UpdateVM).toBe(1);
    // Deallocations are another policy; reads of other providers none at all.
    const others = await admittedAt(pacer, clock, [
      ["POST", vm(4, "deallocate")],
      ["GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp"],
    ]);
    expect(others).toEqual([500, 500]);
  });

  it("closes a Compute policy until Retry-After on its 429, unless only the VM's own bucket ran out", async () => {
    const clock = fakeClock();
    const pacer = new ArmPacer({ arm, compute: computeLimits }, clock, 0);
    const refused = (n: number, retryAfter: number, policyLeft: number, vmLeft: number) =>
      answered(pacer, "POST", vm(n, "deallocate"), 429, {
        "retry-after": String(retryAfter),
        "x-ms-ratelimit-remaining-resource": remainingResource(
          `DeleteVMSubscriptionMaximum;${policyLeft}`,
          `DeleteVMResource;${vmLeft}`,
        ),
      });
    await refused(1, 20, 900, 0);
    expect(await admittedAt(pacer, clock, [["POST", vm(2, "deallocate")]])).toEqual([0]);
    await refused(3, 5, 0, 11);
    // Starts (another policy) and ARM's writes go on; deallocations wait for Retry-After, then for
    // a token to refill (500 a minute: 120 ms).
    expect(await admittedAt(pacer, clock, [["POST", vm(4, "start")]])).toEqual([0]);
    expect(await admittedAt(pacer, clock, [["POST", vm(5, "deallocate")]])).toEqual([5120]);
  });

  it("lets a waiting request be aborted, and serves the next one", async () => {
    const clock = fakeClock();
    const pacer = new ArmPacer({ arm, compute: false }, clock, 0);
    (await pacer.admit("DELETE", "/subscriptions/s/a")).done();
    const aborted = new AbortController();
    const waiting = pacer.admit("DELETE", "/subscriptions/s/b", aborted.signal);
    aborted.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    // A delete bucket that never refills: the next delete keeps waiting, a read does not.
    expect(await admittedAt(pacer, clock, [["GET", "/subscriptions/s"]])).toEqual([0]);
  });
});
