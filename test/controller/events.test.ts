// Events on the real API server: one Event per distinct occurrence, repeats folded into its series.
import { EventsV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeEventRecorder } from "../../src/controller/events.ts";
import { silentLog } from "../../src/controller/logger.ts";
import { avddr, plan } from "../operator/fixtures.ts";
import { freshNamespace, testKubeConfig } from "../support/kube.ts";

describe("event recorder", () => {
  it("records an event about an object once and counts its repeats in a series", async () => {
    const kc = testKubeConfig();
    const namespace = await freshNamespace("events");
    const obj = await avddr(kc).createPlan(namespace, plan("contoso"));
    const recorder = new KubeEventRecorder(kc, {
      controller: "avddr.io/avd-dr-operator",
      instance: "test",
      log: silentLog,
    });
    const stalled = {
      type: "Warning" as const,
      reason: "SecretNotFound",
      action: "Validate",
      note: "Secret sp not found",
    };
    recorder.record(obj, stalled);
    recorder.record(obj, stalled);
    recorder.record(obj, stalled);
    recorder.record(obj, { ...stalled, type: "Normal", reason: "Valid", note: "the spec is valid again" });
    await recorder.flush();

    const events = (await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace })).items;
    const summary = events
      .map((e) => ({
        reason: e.reason,
        count: e.series?.count ?? 1,
        regarding: `${e.regarding?.kind}/${e.regarding?.name}`,
        by: e.reportingController,
      }))
      .sort((a, b) => a.reason!.localeCompare(b.reason!));
    expect(summary).toEqual([
      {
        reason: "SecretNotFound",
        count: 3,
        regarding: "AvdDisasterRecoveryPlan/contoso",
        by: "avddr.io/avd-dr-operator",
      },
      {
        reason: "Valid",
        count: 1,
        regarding: "AvdDisasterRecoveryPlan/contoso",
        by: "avddr.io/avd-dr-operator",
      },
    ]);
  });
});
