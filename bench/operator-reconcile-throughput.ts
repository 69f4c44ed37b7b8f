// How long the operator takes to reconcile N plans created at once (status written for each),
// by number of workers, on a control plane of its own.
//
//   node bench/operator-reconcile-throughput.ts              1,000 plans; 1, 4 and 8 workers
//   node bench/operator-reconcile-throughput.ts --plans 300
import { CoreV1Api } from "@kubernetes/client-node";
import { silentLog } from "../src/controller/logger.ts";
import { Manager } from "../src/controller/manager.ts";
import { OperatorMetrics } from "../src/controller/metrics.ts";
import { setupReconcilers } from "../src/reconcilers/setup.ts";
import { avddr, plan } from "../test/operator/fixtures.ts";
import { startOwnControlPlane } from "../test/operator/own-control-plane.ts";

const plansFlag = process.argv.indexOf("--plans");
const count = plansFlag > 0 ? Number(process.argv[plansFlag + 1]) : 1000;
const own = await startOwnControlPlane();
const k = avddr(own.kc);

try {
  for (const workers of [1, 4, 8]) {
    const namespace = `bench-${workers}`;
    await own.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    for (let i = 0; i < count; i += 50) {
      const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => plan(`p-${i + j}`));
      await Promise.all(batch.map((p) => k.createPlan(namespace, p)));
    }
    const metrics = new OperatorMetrics({ processMetrics: false });
    const manager = new Manager({ kc: own.kc, namespaces: [namespace], log: silentLog, metrics });
    setupReconcilers({
      kc: own.kc,
      manager,
      log: silentLog,
      metrics,
      identity: "bench",
      maxConcurrentReconciles: workers,
    });
    const started = performance.now();
    await manager.start();
    while ((await k.reconciledPlans(namespace)) < count) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - started) / 1000;
    await manager.shutdown();
    console.log(
      `${count} plans, ${workers} worker(s): ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} reconciles/s)`,
    );
  }
} finally {
  await own.stop();
}
