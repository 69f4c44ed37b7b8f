// The end-to-end scenarios whose Azure calls config/azure/role.json must cover exactly: what an
// AVD administrator does with each strategy (the plan's posture, a drill, a planned failover
// with failback, an unplanned failover in a regional outage), plus an ASR job that fails, which
// the operator reads to say why, and a session host added later, whose replication it enables.
import { expect } from "vitest";
import { type AvdDisasterRecoveryPlan, getCondition, type Strategy } from "../../src/api/index.ts";
import { expectSucceeded, finished, requestFailover } from "../failover/support.ts";
import { until } from "../operator/fixtures.ts";
import { planWhere, type Rehearsal, type RehearsalOptions } from "../support/rehearsal.ts";

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

/** The primary region goes dark; the on-call engineer fails over accepting data loss. */
const outage = async (r: Rehearsal) => {
  const plan = await planReady(r);
  r.sim.state.faults.configure({ regionOutages: [{ region: plan.spec.primary.location, mode: "fail" }] });
  await succeeds(r, "outage", { type: "Unplanned", acknowledgeDataLoss: true });
};

const ITEMS =
  "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems";

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

/** A VM in the primary region that no host pool has yet, so Site Recovery does not protect it. */
const NEW_HOST = { resourceGroup: "rg-avd-weu", vm: "avd-pool-3", hostPool: "hp-pooled" };

/**
 * The VM joins a host pool (its AVD agent registers): the operator enables its replication and
 * the plan is Ready again once the initial replication has ended.
 */
const hostAdded = async (r: Rehearsal) => {
  const before = await planReady(r);
  const protectedBefore = before.status?.replication?.protected ?? 0;
  r.sim.admin.registerSessionHost({
    hostPool: `${NEW_HOST.resourceGroup}/${NEW_HOST.hostPool}`,
    vm: `${NEW_HOST.resourceGroup}/${NEW_HOST.vm}`,
  });
  await planWhere(
    r,
    `Ready with ${NEW_HOST.vm} replicated`,
    (p) => ready(p) && p.status?.replication?.protected === protectedBefore + 1,
    READY_MS,
  );
  const enabled = r.sim.admin.audit({ operation: `${ITEMS}/write` }).map((e) => e.target.split("/").at(-1));
  expect(enabled).toEqual([NEW_HOST.vm]);
};

const withNewHost: RoleScenario["options"] = {
  spec: { siteRecovery: { ...itemByItem.siteRecovery, enableReplication: true } },
  topology: (t) => {
    t.resourceGroups
      .find((g) => g.name === NEW_HOST.resourceGroup)!
      .virtualMachines!.push({ name: NEW_HOST.vm });
  },
};

export const ROLE_SCENARIOS: readonly RoleScenario[] = [
  ...(["StandbyHostPool", "SharedHostPool"] as const).flatMap((strategy) => [
    { name: `${strategy}: the plan becomes Ready`, strategy, run: posture },
    { name: `${strategy}: a drill`, strategy, run: drill },
    { name: `${strategy}: a planned failover, then failback`, strategy, run: failoverAndBack },
    { name: `${strategy}: a regional outage, an unplanned failover`, strategy, run: outage },
  ]),
  { name: "SiteRecovery (recovery plan): the plan becomes Ready", strategy: "SiteRecovery", run: posture },
  { name: "SiteRecovery (recovery plan): a drill", strategy: "SiteRecovery", run: drill },
  {
    name: "SiteRecovery (recovery plan): a planned failover with reprotect, then failback",
    strategy: "SiteRecovery",
    run: failoverAndBack,
  },
  {
    name: "SiteRecovery (recovery plan): a regional outage, an unplanned failover",
    strategy: "SiteRecovery",
    run: outage,
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
    name: "SiteRecovery (item by item): a regional outage, an unplanned failover",
    strategy: "SiteRecovery",
    options: { spec: itemByItem },
    run: outage,
  },
  {
    name: "SiteRecovery (item by item): a failover whose job fails",
    strategy: "SiteRecovery",
    options: { spec: itemByItem, ...withFailingJobs },
    run: failedJob,
  },
  {
    name: "SiteRecovery: a session host added later gets replication enabled",
    strategy: "SiteRecovery",
    options: withNewHost,
    run: hostAdded,
  },
];
