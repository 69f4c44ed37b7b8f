// The end-to-end scenarios whose Azure calls config/azure/role.json must cover exactly: what an
// AVD administrator does with each strategy (the plan's posture, a drill, a planned failover
// with failback) plus an ASR job that fails, which the operator reads to say why.
import { expect } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition, type Strategy } from "../../src/api/index.ts";
import { expectSucceeded, finished, requestFailover } from "../failover/support.ts";
import { until } from "../operator/fixtures.ts";
import type { Rehearsal, RehearsalOptions } from "../support/rehearsal.ts";

export interface RoleScenario {
  name: string;
  strategy: Strategy;
  /** How the rehearsal is set up; the test starts the operator itself. */
  options?: Omit<RehearsalOptions, "operator">;
  /** What the administrator does while the operator runs; resolves once it is over. */
  run(r: Rehearsal): Promise<void>;
}

const READY_MS = 60_000;
const FAILOVER_MS = 120_000;

/** An isolated network in config/sim/site-recovery.yaml's recovery region, for ASR drills. */
const testNetwork = (r: Rehearsal) =>
  `/subscriptions/${r.sim.info.subscriptionId}/resourceGroups/rg-avd-neu-asr/providers/Microsoft.Network/virtualNetworks/vnet-avd-neu`;

const ready = (p: AvdDisasterRecoveryPlan) => getCondition(p.status?.conditions, "Ready")?.status === "True";

/** Waits until the plan is Ready with `region` active. */
function planReady(r: Rehearsal, region: "Primary" | "Secondary" = "Primary") {
  return until(
    `plan Ready in ${region}`,
    async () => {
      const p = await r.k.getPlan(r.namespace, r.planName);
      return ready(p) && (p.status?.activeRegion ?? "Primary") === region ? p : undefined;
    },
    READY_MS,
  );
}

async function succeeds(r: Rehearsal, name: string, spec: Parameters<typeof requestFailover>[2]) {
  await requestFailover(r, name, spec);
  expectSucceeded(await finished(r, name, FAILOVER_MS));
}

const posture = async (r: Rehearsal) => {
  await planReady(r);
};

const drill = async (r: Rehearsal) => {
  const plan = await planReady(r);
  const asr = plan.spec.strategy === "SiteRecovery";
  await succeeds(r, "drill", { type: "Test", ...(asr ? { testNetworkId: testNetwork(r) } : {}) });
};

const failoverAndBack = async (r: Rehearsal) => {
  await planReady(r);
  await succeeds(r, "to-secondary", { type: "Planned", reprotect: true });
  await planReady(r, "Secondary");
  await succeeds(r, "back", { type: "Planned", direction: "ToPrimary", reprotect: true });
};

const JOB_ERROR = "The source VM's agent did not answer the shutdown request.";

/** A planned failover whose ASR job fails at its first task: the request fails with the job's error. */
const failedJob = async (r: Rehearsal) => {
  await planReady(r);
  await requestFailover(r, "doomed", { type: "Planned" });
  const done = await finished(r, "doomed", FAILOVER_MS);
  expect(done.status?.phase).toBe("Failed");
  expect(done.status?.message).toContain(JOB_ERROR);
};

const withFailingJobs: RoleScenario["options"] = {
  topology: (t) => {
    t.faults = { ...t.faults, jobFailures: [{ scenario: "*", afterTasks: 0, message: JOB_ERROR }] };
  },
};

/** Site Recovery acting item by item: the plan names no recovery plan. */
const itemByItem = {
  siteRecovery: { vaultName: "rsv-avd-neu", vaultResourceGroup: "rg-avd-neu-asr" },
};

export const ROLE_SCENARIOS: readonly RoleScenario[] = [
  ...(["StandbyHostPool", "SharedHostPool"] as const).flatMap((strategy) => [
    { name: `${strategy}: the plan becomes Ready`, strategy, run: posture },
    { name: `${strategy}: a drill`, strategy, run: drill },
    { name: `${strategy}: a planned failover, then failback`, strategy, run: failoverAndBack },
  ]),
  { name: "SiteRecovery (recovery plan): the plan becomes Ready", strategy: "SiteRecovery", run: posture },
  { name: "SiteRecovery (recovery plan): a drill", strategy: "SiteRecovery", run: drill },
  {
    name: "SiteRecovery (recovery plan): a planned failover with reprotect, then failback",
    strategy: "SiteRecovery",
    run: failoverAndBack,
  },
  {
    name: "SiteRecovery (recovery plan): a failover whose job fails",
    strategy: "SiteRecovery",
    options: withFailingJobs,
    run: failedJob,
  },
  {
    name: "SiteRecovery (item by item): the plan becomes Ready",
    strategy: "SiteRecovery",
    options: { spec: itemByItem },
    run: posture,
  },
  {
    name: "SiteRecovery (item by item): a drill",
    strategy: "SiteRecovery",
    options: { spec: itemByItem },
    run: drill,
  },
  {
    name: "SiteRecovery (item by item): a planned failover with reprotect, then failback",
    strategy: "SiteRecovery",
    options: { spec: itemByItem },
    run: failoverAndBack,
  },
  {
    name: "SiteRecovery (item by item): a failover whose job fails",
    strategy: "SiteRecovery",
    options: { spec: itemByItem, ...withFailingJobs },
    run: failedJob,
  },
];
