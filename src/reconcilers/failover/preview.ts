// A dry run: the phases' reads, and what they would do, without a single write. The estimate
// covers the part the operator controls: ARM's write and delete budgets for the drain and the
// failover's own calls, and the grace period; Azure's own durations (an ASR job, a VM's boot)
// come on top.
import { type FailoverPhase, type FailoverPreview, formatDuration } from "../../api/index.ts";
import { type ArmLimits, armLimits } from "../../azure/pacing-buckets.ts";
import { NOTIFIABLE, sessionsOn } from "./phases/drain.ts";
import type { Phase } from "./phases.ts";
import type { FailoverScope } from "./scope.ts";
import type { FailoverStrategy } from "./strategies/strategy.ts";

const LATER_STEPS: Partial<Record<FailoverPhase, string>> = {
  Committing: "commit the failover",
  Reprotecting: "reprotect: replicate back to the region left",
  CleaningUp: "clean up the drill",
};

/** Seconds a burst of `n` calls takes through one of ARM's token buckets. */
const bucketSeconds = (n: number, bucket: ArmLimits["writes"]) =>
  Math.max(0, n - bucket.capacity) / bucket.refillPerSecond;

export async function previewRun(
  scope: FailoverScope,
  strategy: FailoverStrategy,
  phases: Phase[],
): Promise<FailoverPreview> {
  const steps: string[] = [];
  const draining = phases.some((p) => p.name === "Draining");
  const inventory = await scope.inventory();
  const hosts = inventory.hosts.filter((h) => h.region === scope.from);
  const sessions = draining ? (await sessionsOn(scope, hosts)).filter((s) => NOTIFIABLE.has(s.state)) : [];
  const open = draining ? hosts.filter((h) => h.info.allowNewSession) : [];
  const logsOff = draining && scope.drain.logOffPolicy === "Force" && scope.request.spec.type === "Planned";
  if (draining) {
    steps.push(
      `put ${open.length} of ${hosts.length} session host(s) in drain mode`,
      `send "${scope.drain.title}" to ${sessions.length} user session(s)`,
      logsOff
        ? `log each one off ${scope.drain.gracePeriod} after their notice`
        : scope.request.spec.type === "Unplanned"
          ? "not wait for them (Unplanned)"
          : `wait up to verify.timeout for them to sign out (WaitForLogOff)`,
    );
  }
  const part = await strategy.preview(scope);
  steps.push(...part.steps);
  const targets = await strategy.verifyTargets(scope);
  const shown = scope.request.spec.type === "Test" ? targets.length : Math.max(targets.length, hosts.length);
  steps.push(`verify that ${scope.verify.required(shown)} host(s) report Available in the target region`);
  for (const p of phases) {
    const step = LATER_STEPS[p.name];
    if (step) steps.push(step);
  }

  const writes = open.length + sessions.length + part.writes;
  const deletes = logsOff ? sessions.length : 0;
  const graceSeconds = sessions.length > 0 && logsOff ? scope.drain.graceMs / 1000 : 0;
  const seconds = Math.max(
    bucketSeconds(writes, armLimits.writes) + graceSeconds,
    bucketSeconds(deletes, armLimits.deletes),
  );
  return {
    hostsToDrain: open.length,
    sessionsToNotify: sessions.length,
    itemsToFailOver: part.itemsToFailOver,
    vmsToStart: part.vmsToStart,
    ...(part.recoveryPlan ? { recoveryPlan: part.recoveryPlan } : {}),
    armWrites: writes + deletes,
    estimatedDuration: formatDuration(seconds * 1000),
    steps,
  };
}
