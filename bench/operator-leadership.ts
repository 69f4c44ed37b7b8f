// How fast leadership moves between two `avd-dr operator` processes with the production
// timings (lease 15 s, renew deadline 10 s, retry 2 s), on a control plane of its own.
//
//   node bench/operator-leadership.ts            3 rounds of: SIGTERM hand-over, kill -9 take-over
//   node bench/operator-leadership.ts --rounds 1
import { CoreV1Api } from "@kubernetes/client-node";
import {
  leaseHolder,
  type OperatorProcess,
  startOperatorProcess,
} from "../test/operator/operator-process.ts";
import { startOwnControlPlane } from "../test/operator/own-control-plane.ts";

const roundsFlag = process.argv.indexOf("--rounds");
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;

const own = await startOwnControlPlane();
const namespace = "bench";
await own.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
const start = () => startOperatorProcess({ kubeconfigPath: own.cp.kubeconfigPath, namespace });
const running: OperatorProcess[] = [];

async function leadsAfter(op: OperatorProcess, from: number): Promise<number> {
  while ((await leaseHolder(own.kc, namespace)) !== op.identity) await new Promise((r) => setTimeout(r, 20));
  return performance.now() - from;
}

const handovers: number[] = [];
const takeovers: number[] = [];
try {
  let leader = await start();
  running.push(leader);
  await leadsAfter(leader, performance.now());
  for (let i = 0; i < rounds; i++) {
    const standby = await start();
    running.push(standby);
    leader.child.kill("SIGTERM");
    handovers.push(await leadsAfter(standby, performance.now()));
    leader = standby;

    const next = await start();
    running.push(next);
    await new Promise((r) => setTimeout(r, 3000)); // let the standby see the lease renewed a few times
    leader.child.kill("SIGKILL");
    takeovers.push(await leadsAfter(next, performance.now()));
    leader = next;
  }
} finally {
  for (const op of running) op.child.kill("SIGKILL");
  await own.stop();
}

const fmt = (ms: number[]) => ms.map((m) => `${(m / 1000).toFixed(2)} s`).join(", ");
console.log(`SIGTERM hand-over (lease released):   ${fmt(handovers)}`);
console.log(`kill -9 take-over (lease expires):    ${fmt(takeovers)}   (lease duration 15 s)`);
