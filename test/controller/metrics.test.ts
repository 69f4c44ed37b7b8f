// The metrics a scrape shows, including those other layers feed (Azure requests, queues).
import { describe, expect, it } from "vitest";
import { OperatorMetrics } from "../../src/controller/metrics.ts";
import { WorkQueue } from "../../src/controller/workqueue.ts";

describe("operator metrics", () => {
  it("count Azure requests by kind and result, and show a queue from its creation", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const queue = new WorkQueue<string>({ observer: metrics.queueObserver("plans") });
    metrics.recordAzureRequest("listSessionHosts", "ok");
    metrics.recordAzureRequest("listSessionHosts", "ok");
    metrics.recordAzureRequest("unplannedFailover", "throttled");
    let text = await metrics.registry.metrics();
    expect(text).toContain('avddr_azure_requests_total{kind="listSessionHosts",result="ok"} 2');
    expect(text).toContain('avddr_azure_requests_total{kind="unplannedFailover",result="throttled"} 1');
    expect(text).toContain('workqueue_depth{name="plans"} 0');

    queue.add("ns/a");
    queue.addRateLimited("ns/b");
    text = await metrics.registry.metrics();
    expect(text).toContain('workqueue_depth{name="plans"} 1');
    expect(text).toContain('workqueue_adds_total{name="plans"} 1');
    expect(text).toContain('workqueue_retries_total{name="plans"} 1');
    await queue.shutDown();
  });
});
