// Leader election on a real Lease, with short timings so the test is quick; the defaults'
// relation is checked on its own.
import { CoordinationV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMINGS,
  type LeaderElectionTimings,
  LeaderElector,
  validateTimings,
} from "../../src/controller/leader-election.ts";
import { seizeLease } from "../operator/fixtures.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";

const kc = testKubeConfig();
const leases = kc.makeApiClient(CoordinationV1Api);
const FAST: LeaderElectionTimings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };

function elector(namespace: string, identity: string) {
  return new LeaderElector(kc, { ...FAST, namespace, name: "avd-dr-operator", identity });
}

describe("leader election timings", () => {
  it("defaults to 15 s / 10 s / 2 s, which satisfy lease > renew deadline > 1.2 × retry", () => {
    expect(DEFAULT_TIMINGS).toEqual({
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    expect(() => validateTimings(DEFAULT_TIMINGS)).not.toThrow();
    expect(() => validateTimings(FAST)).not.toThrow();
  });

  it("refuses a renew deadline that is not shorter than the lease, or not longer than 1.2 retry periods", () => {
    expect(() => validateTimings({ ...DEFAULT_TIMINGS, renewDeadlineMs: 15_000 })).toThrow(
      /lease duration \(15000 ms\) must be greater than the renew deadline \(15000 ms\)/,
    );
    expect(() => validateTimings({ ...DEFAULT_TIMINGS, retryPeriodMs: 9_000 })).toThrow(
      /renew deadline \(10000 ms\) must be greater than 1.2 × the retry period \(9000 ms\)/,
    );
  });
});

describe("leader election", () => {
  it("lets one process lead; a release hands over at once", async () => {
    const namespace = await freshNamespace("lease");
    const a = elector(namespace, "a");
    const b = elector(namespace, "b");
    const stop = new AbortController();
    expect(await a.acquire(stop.signal)).toBe(true);
    const holding = a.hold(stop.signal);

    let bLeads = false;
    const bAcquired = b.acquire(stop.signal).then((ok) => (bLeads = ok));
    await new Promise((r) => setTimeout(r, FAST.leaseDurationMs + 500));
    expect(bLeads).toBe(false);

    const released = performance.now();
    await a.release();
    await bAcquired;
    const handover = performance.now() - released;
    expect(bLeads).toBe(true);
    // Waiting for expiry instead would take at least lease duration - retry period (1750 ms).
    expect(handover).toBeLessThan(1500);
    const lease = await leases.readNamespacedLease({ namespace, name: "avd-dr-operator" });
    expect(lease.spec?.holderIdentity).toBe("b");
    expect(lease.spec?.leaseTransitions).toBe(1);
    stop.abort();
    await holding;
  });

  it("takes over from a leader that died after about a lease duration", async () => {
    const namespace = await freshNamespace("lease");
    const a = elector(namespace, "a");
    const b = elector(namespace, "b");
    const aLife = new AbortController();
    await a.acquire(aLife.signal);
    const aHolding = a.hold(aLife.signal);
    const stop = new AbortController();
    await new Promise((r) => setTimeout(r, 300));
    // a dies: it stops renewing without releasing.
    aLife.abort();
    await aHolding;
    const died = performance.now();
    expect(await b.acquire(stop.signal)).toBe(true);
    const takeover = performance.now() - died;
    expect(takeover).toBeGreaterThanOrEqual(FAST.leaseDurationMs - 600);
    expect(takeover).toBeLessThan(FAST.leaseDurationMs + 2 * FAST.retryPeriodMs * 1.2 + 2000);
    stop.abort();
  });

  it("stops leading at once when it sees another holder", async () => {
    const namespace = await freshNamespace("lease");
    const a = elector(namespace, "a");
    const stop = new AbortController();
    await a.acquire(stop.signal);
    const holding = a.hold(stop.signal);
    await seizeLease(kc, namespace, "intruder");
    const t0 = performance.now();
    expect(await holding).toBe(false);
    expect(a.leading).toBe(false);
    expect(performance.now() - t0).toBeLessThan(FAST.retryPeriodMs * 2 + 1000);
    stop.abort();
  });
});

/** A TCP proxy to the API server that can freeze: connections stay open, nothing passes. */
async function freezableProxy(target: URL) {
  const { createServer, connect } = await import("node:net");
  let frozen = false;
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
    }
    client.on("data", (chunk) => frozen || upstream.write(chunk));
    upstream.on("data", (chunk) => frozen || client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    freeze: () => (frozen = true),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("leader election when the API server stops answering", () => {
  it("steps down within the renew deadline although the renewal never returns", async () => {
    const namespace = await freshNamespace("lease");
    const server = new URL(kc.getCurrentCluster()!.server);
    const proxy = await freezableProxy(server);
    const viaProxy = testKubeConfig();
    viaProxy.clusters = viaProxy.clusters.map((c) => ({
      ...c,
      server: proxy.url,
      tlsServerName: "localhost",
    }));
    const a = new LeaderElector(viaProxy, { ...FAST, namespace, name: "avd-dr-operator", identity: "a" });
    const life = new AbortController();
    try {
      expect(await a.acquire(life.signal)).toBe(true);
      const holding = a.hold(life.signal);
      proxy.freeze();
      const frozenAt = performance.now();
      // Without a deadline on the renewal, hold() would wait on the hung request for good.
      expect(await holding).toBe(false);
      expect(a.leading).toBe(false);
      expect(performance.now() - frozenAt).toBeLessThan(FAST.renewDeadlineMs + FAST.retryPeriodMs + 1000);
    } finally {
      life.abort();
      proxy.close();
    }
  });
});
