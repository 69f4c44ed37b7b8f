// Strategies StandbyHostPool and SharedHostPool: the target region's session hosts already
// exist, deallocated and in drain mode. A failover starts their VMs (paced by the gateways
// within ARM's write budget) and lets new sessions in; a drill starts them, verifies that their
// agents report in, and deallocates them again without ever opening them to users. Power actions
// are idempotent, so the power state Compute lists is the record; each start is also recorded
// as evidence.
import type { FailoverOperation } from "../../../api/index.ts";
import type { PowerState } from "../../../azure/gateways.ts";
import { type Host, regionSpec } from "../../inventory.ts";
import { some } from "../../some.ts";
import { completeOperation, recordOperation } from "../operations.ts";
import type { FailoverScope } from "../scope.ts";
import { count } from "../status.ts";
import { done, POLL_MS, type StepResult, wait } from "../step.ts";
import type { FailoverStrategy, VerifyTarget } from "./strategy.ts";

/** At most this many power actions or drain-mode writes per reconcile (about a full ARM bucket). */
const WRITES_PER_PASS = 200;

const UP: ReadonlySet<PowerState> = new Set(["running", "starting"]);
const START_ATTEMPTS = 3;

/** How the request's operations name a VM: resourceGroup/name, short enough for thousands of them. */
const vmRef = (vm: { resourceGroup: string; name: string }) => `${vm.resourceGroup}/${vm.name}`;

/** The request's recorded starts by VM (vmRef, lower case), in the order they were sent. */
function startsByVm(scope: FailoverScope): Map<string, FailoverOperation[]> {
  const starts = new Map<string, FailoverOperation[]>();
  for (const o of scope.status.operations ?? []) {
    if (o.kind !== "start" || !o.target) continue;
    const key = o.target.toLowerCase();
    starts.set(key, [...(starts.get(key) ?? []), o]);
  }
  return starts;
}
const DOWN: ReadonlySet<PowerState> = new Set(["deallocated"]);

const targets = async (scope: FailoverScope): Promise<Host[]> =>
  (await scope.inventory()).hosts.filter((h) => h.region === scope.to);

export const standbyStrategy: FailoverStrategy = {
  async failover(scope) {
    const hosts = await targets(scope);
    const drill = scope.request.spec.type === "Test";
    // A VM found down again after its start (preempted, or it failed to start) gets another
    // start, up to START_ATTEMPTS in all; verify names the ones that never came up.
    const recorded = startsByVm(scope);
    const startsOf = (vm: { resourceGroup: string; name: string }) =>
      recorded.get(vmRef(vm).toLowerCase()) ?? [];
    const toStart = hosts.filter(
      (h) => h.vm && !UP.has(h.vm.powerState) && startsOf(h.vm).length < START_ATTEMPTS,
    );
    const toOpen = drill ? [] : hosts.filter((h) => !h.info.allowNewSession);
    const starts = toStart.slice(0, WRITES_PER_PASS);
    // Every start goes out before any host is opened: a VM's boot is the long pole, so starts
    // get the write budget first; an open host takes no session until its VM runs anyway.
    const opens = toStart.length > starts.length ? [] : toOpen.slice(0, WRITES_PER_PASS);
    const { compute, desktopVirtualization } = scope.gateways;
    await Promise.all([
      ...starts.map(async (h) => {
        const vm = h.vm!;
        await compute.beginStart(vm.resourceGroup, vm.name);
        recordOperation(
          scope.status,
          { step: "FailingOver", kind: "start", id: vmRef(vm), target: vmRef(vm) },
          scope.now(),
        );
      }),
      ...opens.map((h) =>
        desktopVirtualization.setAllowNewSession(h.pool.resourceGroup, h.pool.name, h.info.name, true),
      ),
    ]);
    // A VM seen up (again) completes its recorded start, as evidence for the report.
    const now = scope.now();
    for (const h of hosts)
      if (h.vm && UP.has(h.vm.powerState)) {
        const op = startsOf(h.vm).at(-1);
        if (op) completeOperation(op, "Succeeded", now);
      }
    const started = hosts.filter((h) => h.vm && UP.has(h.vm.powerState)).length + starts.length;
    scope.status.totals = { ...scope.status.totals, items: hosts.filter((h) => h.vm).length };
    count(scope.status, { itemsFailedOver: started });
    const missing = hosts.filter((h) => !h.vm);
    const remaining = toStart.length - starts.length + (toOpen.length - opens.length);
    if (remaining > 0)
      return wait(`started ${started} of ${hosts.length} standby VM(s); ${remaining} more to send`, 0);
    // One more look after the last starts, or a start preempted meanwhile would never be retried.
    if (starts.length > 0)
      return wait(`started ${started} of ${hosts.length} standby VM(s); checking they stay up`, POLL_MS);
    const note = missing.length > 0 ? `; no VM found for ${some(missing.map((h) => h.info.name))}` : "";
    return done(
      `${drill ? "started" : "started and opened to new sessions"} ${hosts.length} session host(s) in ${regionSpec(scope.plan, scope.to).location}${note}`,
    );
  },

  async verifyTargets(scope): Promise<VerifyTarget[]> {
    return (await targets(scope)).map((h) => ({
      name: h.info.name,
      available: h.info.status === "Available",
      status: h.info.status,
    }));
  },

  commit: async () => done("nothing to commit: the standby hosts are the failover"),
  reprotect: async () => done("nothing to reprotect: the hosts left are kept as the standby"),

  async cleanup(scope): Promise<StepResult> {
    const hosts = await targets(scope);
    const running = hosts.filter((h) => h.vm && !DOWN.has(h.vm.powerState));
    const batch = running.filter((h) => h.vm!.powerState !== "deallocating").slice(0, WRITES_PER_PASS);
    await Promise.all(
      batch.map((h) => scope.gateways.compute.beginDeallocate(h.vm!.resourceGroup, h.vm!.name)),
    );
    if (running.length === 0) return done(`the drill's ${hosts.length} standby VM(s) are deallocated again`);
    return wait(`deallocating ${running.length} standby VM(s) after the drill`, POLL_MS);
  },

  async preview(scope) {
    const hosts = await targets(scope);
    const toStart = hosts.filter((h) => h.vm && !UP.has(h.vm.powerState));
    const toOpen = scope.request.spec.type === "Test" ? [] : hosts.filter((h) => !h.info.allowNewSession);
    return {
      itemsToFailOver: 0,
      vmsToStart: toStart.length,
      writes: toStart.length + toOpen.length,
      steps: [
        `start ${toStart.length} VM(s) in the target region${toOpen.length > 0 ? ` and allow new sessions on ${toOpen.length} host(s)` : ""}`,
      ],
    };
  },
};
