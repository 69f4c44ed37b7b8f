// The lower bound of a failover's duration that Azure itself imposes, from the emulator's
// durations and ARM's token buckets, term by term. No operator can beat it: it is the time the
// required calls take to be admitted by ARM's buckets, plus the time Azure's own operations take
// once sent. Used by bench/failover-scale.ts; every term is printed beside the operator's time.
//
// Terms (simulated seconds):
// - drain: drain mode on every host and a notice to every session are ARM writes, admitted by
//   the write bucket (burst, then its refill rate); each user's log-off (an ARM delete) comes
//   `grace` after that user's notice, so the drain ends when the last notice is admitted plus
//   the grace period (the delete bucket refills as fast as notices go out, so it never lags).
// - failover: SiteRecovery through a recovery plan: one write, then each boot group after the
//   other, a group lasting prerequisites + source shutdown + failover + replica start.
//   Item by item: one write per item through the write bucket, each item's job as long as a group.
//   Standby: one start per VM (write bucket and Compute's UpdateVM policy), the last one
//   admitted plus vmStart; then a write per host to allow new sessions.
// - verify: the last host's agent reports in `agentBoot` after its VM runs.
// - commit, reprotect (SiteRecovery): plan jobs group after group (prerequisites + task), or one
//   write per item through the bucket plus one item's job.
import { type ComputeLimits, computeLimits } from "../src/azure/compute-policies.ts";
import { type ArmLimits, armLimits, type BucketLimits, TokenBucket } from "../src/azure/pacing-buckets.ts";
import { defaultSiteRecoveryDurations } from "../src/sim/site-recovery/topology.ts";
import { defaultDurations, type Topology } from "../src/sim/topology.ts";

export interface BoundInput {
  topology: Topology;
  strategy: "SiteRecovery" | "StandbyHostPool" | "SharedHostPool";
  recoveryPlan: boolean;
  hosts: number;
  sessions: number;
  graceSeconds: number;
  commit: boolean;
  reprotect: boolean;
  arm?: ArmLimits;
  compute?: ComputeLimits;
}

export interface Bound {
  drain: number;
  failover: number;
  verify: number;
  commit: number;
  reprotect: number;
  total: number;
}

/** Seconds until the last of `n` calls is admitted by a bucket that starts full. */
export function admitted(n: number, limits: BucketLimits): number {
  if (n <= 0) return 0;
  const bucket = new TokenBucket(limits, 0);
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += bucket.waitMs(t);
    bucket.tryTake(t);
  }
  return t / 1000;
}

export function failoverBound(input: BoundInput): Bound {
  const arm = input.arm ?? armLimits;
  const compute = input.compute ?? computeLimits;
  const d = { ...defaultDurations, ...input.topology.durations };
  const sr = { ...defaultSiteRecoveryDurations, ...input.topology.siteRecovery?.durations };
  const groups = input.topology.siteRecovery?.vaults[0]?.recoveryPlans?.[0]?.groups.length ?? 1;

  const drain =
    admitted(input.hosts + input.sessions, arm.writes) + (input.sessions > 0 ? input.graceSeconds : 0);
  let failover: number;
  let commit = 0;
  let reprotect = 0;
  if (input.strategy === "SiteRecovery") {
    // A planned failover shuts the source down first (sourceSiteOperations Required).
    const itemJob = sr.prerequisites + d.vmPowerOff + sr.failover + d.vmStart;
    failover = input.recoveryPlan ? groups * itemJob : admitted(input.hosts, arm.writes) + itemJob;
    const job = (task: number) =>
      input.recoveryPlan
        ? groups * (sr.prerequisites + task)
        : admitted(input.hosts, arm.writes) + sr.prerequisites + task;
    if (input.commit) commit = job(sr.commit);
    if (input.reprotect) reprotect = job(sr.reprotect);
  } else {
    // Starts are admitted by ARM's write bucket and Compute's UpdateVM policy, whichever is slower.
    const updateVm = compute.UpdateVM.subscription;
    const starts = Math.max(admitted(input.hosts, arm.writes), admitted(input.hosts, updateVm));
    failover = Math.max(starts + d.vmStart, admitted(2 * input.hosts, arm.writes));
  }
  const verify = d.agentBoot;
  return {
    drain,
    failover,
    verify,
    commit,
    reprotect,
    total: drain + failover + verify + commit + reprotect,
  };
}
