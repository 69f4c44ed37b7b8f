// A FailoverRequest's status at the benchmark's scale (5,000 sessions notified and logged off,
// 1,000 ASR items failed over, committed and reprotected) is accepted by the real API server:
// every list within its schema's bounds, the object well within etcd's request limit.
import { describe, expect, it } from "vitest";
import {
  type DrainRecord,
  type FailoverOperation,
  type FailoverRequestStatus,
  sessionKey,
  withEnded,
  withNotified,
} from "../../src/api/index.ts";
import { avddr, failover, plan } from "../operator/fixtures.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";

describe("FailoverRequest status at scale", () => {
  it("holds 5,000 sessions and 3,000 operations in under 1 MiB, and the API server takes it", async () => {
    const namespace = await freshNamespace("scale");
    const k = avddr(testKubeConfig());
    await k.createPlan(namespace, plan("big"));
    const request = await k.createRequest(namespace, failover("big-failover", "big"));
    const keys = Array.from({ length: 5000 }, (_, i) =>
      sessionKey({
        host: `vm-${Math.floor(i / 5)}.contoso.local`,
        sessionId: String(i % 5),
        user: `user-${i}@contoso.com`,
        createTime: new Date(Date.parse("2026-11-26T07:00:00Z") + i * 1000),
      }),
    );
    let drain: DrainRecord = { gracePeriod: "10m" };
    for (let b = 0; b < 25; b++)
      drain = withNotified(
        drain,
        keys.slice(b * 200, (b + 1) * 200),
        `2026-11-26T08:${String(b).padStart(2, "0")}:00Z`,
      );
    for (let b = 0; b < 25; b++)
      drain = withEnded(
        drain,
        "loggedOff",
        keys.slice(b * 200, (b + 1) * 200),
        `2026-11-26T09:${String(b).padStart(2, "0")}:00Z`,
      );
    const operations: FailoverOperation[] = ["unplannedFailover", "failoverCommit", "reProtect"].flatMap(
      (kind) =>
        Array.from({ length: 1000 }, (_, i) => ({
          step: "FailingOver" as const,
          kind,
          id: `3b108d83-7fc9-43b0-a296-${String(i).padStart(12, "0")}`,
          target: `vm-${i}`,
          startedAt: "2026-11-26T09:30:00Z",
          result: "Succeeded" as const,
          completedAt: "2026-11-26T09:40:00Z",
        })),
    );
    const status: FailoverRequestStatus = { phase: "Reprotecting", drain, operations };
    expect(JSON.stringify(status).length).toBeLessThan(1024 * 1024);
    const written = await k.api.replaceNamespacedCustomObjectStatus({
      group: "avddr.io",
      version: "v1alpha1",
      plural: "failoverrequests",
      namespace,
      name: "big-failover",
      body: { ...request, status },
    });
    expect((written as { status: FailoverRequestStatus }).status.drain?.sessions).toHaveLength(5000);
  });
});
