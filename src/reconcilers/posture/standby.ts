// Strategies StandbyHostPool and SharedHostPool: the standby region's session hosts are kept
// deallocated and in drain mode while no failover runs, and started now and then so that their
// AVD registration stays valid. Roles, not regions: after a failover the old primary is the
// standby and is kept the same way.
import { type ConditionInput, formatDuration, metav1Time, parseDuration } from "../../api/index.ts";
import type { PowerState } from "../../azure/gateways.ts";
import { activeRegionOf, type Host, type Inventory, otherRegion, regionSpec } from "../inventory.ts";
import { some } from "../some.ts";
import { mayAct, type PostureContext, type Problem } from "./context.ts";

/** At most this many power actions or drain-mode writes are sent per reconcile. */
const WRITES_PER_PASS = 100;
/** After a failed registration refresh, the next one waits this long. */
const REFRESH_RETRY_MS = 60 * 60_000;
/** A refresh starts once this share of standbyPowerOnInterval has passed. */
const REFRESH_AT = 0.9;

export interface StandbyPosture {
  deallocatedCondition: ConditionInput;
  /** Status fields this step owns: when the standby last ran, and a refresh in progress. */
  status: {
    lastStandbyPowerOn?: string;
    standbyRefresh?: { startedAt: string; failedAt?: string; message?: string };
  };
  readiness: Problem[];
  inFlight: string[];
}

const RUNNING_OR_ALLOCATED: ReadonlySet<PowerState> = new Set(["running", "starting", "stopped", "stopping"]);

export async function keepStandby(ctx: PostureContext, inventory: Inventory): Promise<StandbyPosture> {
  const { plan, clock } = ctx;
  const now = clock.now();
  const standby = otherRegion(activeRegionOf(plan));
  const where = regionSpec(plan, standby).location;
  const hosts = inventory.hosts.filter((h) => h.region === standby);
  const inFlight: string[] = [];
  const readiness: Problem[] = [];
  const intervalMs = parseDuration(plan.spec.standbyPowerOnInterval ?? "168h");

  // When the standby last ran: the recorded refresh, else the oldest last heartbeat Azure reports.
  const heartbeats = hosts.map((h) => h.info.lastHeartBeat?.getTime()).filter((t) => t !== undefined);
  const recorded = plan.status?.lastStandbyPowerOn;
  const lastRun = recorded
    ? Date.parse(recorded)
    : heartbeats.length > 0
      ? Math.min(...heartbeats)
      : undefined;
  const status: StandbyPosture["status"] = {
    ...(lastRun !== undefined ? { lastStandbyPowerOn: metav1Time(new Date(lastRun)) } : {}),
    ...(plan.status?.standbyRefresh ? { standbyRefresh: plan.status.standbyRefresh } : {}),
  };

  if (ctx.acting) await drain(ctx, hosts, inFlight);
  const refreshing =
    ctx.acting && hosts.length > 0 && (await refresh(ctx, hosts, status, lastRun, where, inFlight));

  const keep = plan.spec.keepStandbyDeallocated ?? true;
  if (ctx.acting && !refreshing && keep) {
    const sent = await power(ctx, hosts, "deallocate", RUNNING_OR_ALLOCATED);
    if (sent > 0) inFlight.push(`deallocating ${sent} standby VM(s)`);
  }
  const deallocating = hosts.filter((h) => h.vm?.powerState === "deallocating").length;
  if (deallocating > 0 && !inFlight.some((s) => s.startsWith("deallocating")))
    inFlight.push(`${deallocating} standby VM(s) deallocating`);

  const ranAt = status.lastStandbyPowerOn ? Date.parse(status.lastStandbyPowerOn) : undefined;
  readiness.push(...standbyProblems(hosts, where, now.getTime(), ranAt, intervalMs, status));
  if (plan.spec.strategy === "StandbyHostPool")
    readiness.push(...(await appGroupProblems(ctx, inventory, standby)));
  return {
    deallocatedCondition: deallocatedCondition(hosts, where, keep, refreshing, ctx.acting),
    status,
    readiness,
    inFlight,
  };
}

const STARTABLE: ReadonlySet<PowerState> = new Set(["deallocated", "stopped", "deallocating"]);

/**
 * The registration refresh: started when due, kept going until every standby host reports
 * Available (its agent renewed its registration), given up after verify.timeout. Returns
 * whether a refresh is running (the standby VMs are then left running).
 */
async function refresh(
  ctx: PostureContext,
  hosts: Host[],
  status: StandbyPosture["status"],
  lastRun: number | undefined,
  where: string,
  inFlight: string[],
): Promise<boolean> {
  const { plan } = ctx;
  const now = ctx.clock.now();
  const running = status.standbyRefresh;
  if (running && running.failedAt === undefined) {
    const startedAt = Date.parse(running.startedAt);
    const notAvailable = hosts.filter((h) => h.info.status !== "Available");
    if (notAvailable.length === 0) {
      status.lastStandbyPowerOn = metav1Time(now);
      delete status.standbyRefresh;
      ctx.events.record({
        type: "Normal",
        reason: "RegistrationRefreshed",
        action: "RefreshRegistration",
        note: `all ${hosts.length} standby session hosts in ${where} reported Available, renewing their AVD registration; deallocating them again`,
      });
      return false;
    }
    if (now.getTime() - startedAt > parseDuration(plan.spec.verify?.timeout ?? "30m")) {
      const message = `after ${formatDuration(now.getTime() - startedAt)}, ${notAvailable.length} standby session host(s) were not Available: ${some(notAvailable.map((h) => `${h.info.name} (${h.info.status})`))}`;
      status.standbyRefresh = { ...running, failedAt: metav1Time(now), message };
      ctx.events.record({
        type: "Warning",
        reason: "RegistrationRefreshFailed",
        action: "RefreshRegistration",
        note: `${message}; check those hosts' AVD agent and registration; the next refresh is in ${formatDuration(REFRESH_RETRY_MS)}`,
      });
      return false;
    }
    await power(ctx, hosts, "start", STARTABLE);
    inFlight.push(
      `renewing the AVD registration of the standby hosts: ${hosts.length - notAvailable.length} of ${hosts.length} Available`,
    );
    return ctx.acting;
  }
  const intervalMs = parseDuration(plan.spec.standbyPowerOnInterval ?? "168h");
  if (!refreshDue(now.getTime(), lastRun, intervalMs, running?.failedAt)) return false;
  const started = await power(ctx, hosts, "start", STARTABLE);
  // A failover accepted meanwhile (power() asked) takes precedence over a refresh.
  if (!ctx.acting) return false;
  status.standbyRefresh = { startedAt: metav1Time(now) };
  inFlight.push(`starting ${started} standby VM(s) to renew their AVD registration`);
  ctx.events.record({
    type: "Normal",
    reason: "RefreshingRegistration",
    action: "RefreshRegistration",
    note: `starting the ${hosts.length} standby session hosts in ${where}: they last ran ${lastRun === undefined ? "at an unknown time" : `at ${metav1Time(new Date(lastRun))}`}, and standbyPowerOnInterval is ${plan.spec.standbyPowerOnInterval ?? "168h"}`,
  });
  return true;
}

function refreshDue(
  now: number,
  lastRun: number | undefined,
  intervalMs: number,
  failedAt?: string,
): boolean {
  if (failedAt !== undefined && now - Date.parse(failedAt) < REFRESH_RETRY_MS) return false;
  return lastRun === undefined || now - lastRun >= intervalMs * REFRESH_AT;
}

/** Sends a power action to every host VM in one of `from`; returns how many were sent. */
async function power(
  ctx: PostureContext,
  hosts: Host[],
  action: "start" | "deallocate",
  from: ReadonlySet<PowerState>,
): Promise<number> {
  const targets = hosts
    .filter((h) => h.vm && from.has(h.vm.powerState))
    .slice(0, WRITES_PER_PASS)
    .map((h) => h.vm!);
  if (targets.length === 0 || !(await mayAct(ctx))) return 0;
  const compute = ctx.gateways.compute;
  await Promise.all(
    targets.map(async (vm) => {
      await (action === "start"
        ? compute.beginStart(vm.resourceGroup, vm.name)
        : compute.beginDeallocate(vm.resourceGroup, vm.name));
      if (action === "deallocate")
        ctx.events.record({
          type: "Normal",
          reason: "DeallocatingStandbyVm",
          action: "Deallocate",
          note: `deallocating standby VM ${vm.id}: it was ${vm.powerState} outside a failover or registration refresh (spec.keepStandbyDeallocated)`,
        });
    }),
  );
  return targets.length;
}

/** Standby hosts take no new sessions: no user lands there, and Start VM on Connect cannot wake them. */
async function drain(ctx: PostureContext, hosts: Host[], inFlight: string[]): Promise<void> {
  const open = hosts.filter((h) => h.info.allowNewSession).slice(0, WRITES_PER_PASS);
  if (open.length === 0 || !(await mayAct(ctx))) return;
  await Promise.all(
    open.map((h) =>
      ctx.gateways.desktopVirtualization.setAllowNewSession(
        h.pool.resourceGroup,
        h.pool.name,
        h.info.name,
        false,
      ),
    ),
  );
  if (open.length > 0) {
    inFlight.push(`putting ${open.length} standby session host(s) in drain mode`);
    ctx.events.record({
      type: "Normal",
      reason: "DrainingStandbyHosts",
      action: "Drain",
      note: `standby session hosts take no new sessions while standby: drain mode set on ${some(open.map((h) => h.info.name))}`,
    });
  }
}

function deallocatedCondition(
  hosts: Host[],
  where: string,
  keep: boolean,
  refreshing: boolean,
  acting: boolean,
): ConditionInput {
  const allocated = hosts.filter((h) => h.vm && h.vm.powerState !== "deallocated");
  const condition = (status: "True" | "False", reason: string, message: string): ConditionInput => ({
    type: "StandbyDeallocated",
    status,
    reason,
    message,
  });
  if (hosts.length === 0) return condition("False", "NoStandbyHosts", `no standby session hosts in ${where}`);
  if (!keep)
    return condition(
      "True",
      "NotRequested",
      `spec.keepStandbyDeallocated is false: standby VMs are left as they are (${allocated.length} of ${hosts.length} allocated)`,
    );
  if (allocated.length === 0)
    return condition("True", "Deallocated", `all ${hosts.length} standby VMs in ${where} are deallocated`);
  const list = some(allocated.map((h) => `${h.vm!.name} (${h.vm!.powerState})`));
  if (refreshing)
    return condition(
      "False",
      "RefreshingRegistration",
      `standby VMs run to renew their AVD registration: ${list}`,
    );
  if (!acting)
    return condition("False", "FailoverInProgress", `a failover runs; standby VMs allocated: ${list}`);
  return condition("False", "Deallocating", `deallocating standby VMs: ${list}`);
}

function standbyProblems(
  hosts: Host[],
  where: string,
  now: number,
  lastRun: number | undefined,
  intervalMs: number,
  status: StandbyPosture["status"],
): Problem[] {
  if (hosts.length === 0)
    return [
      {
        reason: "NoStandbyHosts",
        message: `no session host of the plan's host pools runs in the standby region ${where}: add standby hosts there`,
      },
    ];
  const problems: Problem[] = [];
  const noVm = hosts.filter((h) => !h.vm);
  if (noVm.length > 0)
    problems.push({
      reason: "StandbyVmMissing",
      message: `the VMs of ${noVm.length} standby session host(s) were not found: ${some(noVm.map((h) => h.info.name))}; remove those session hosts or restore their VMs`,
    });
  if (status.standbyRefresh?.failedAt)
    problems.push({
      reason: "RegistrationRefreshFailed",
      message: `the last registration refresh failed at ${status.standbyRefresh.failedAt}: ${status.standbyRefresh.message ?? "unknown reason"}`,
    });
  else if (lastRun !== undefined && now - lastRun > intervalMs)
    problems.push({
      reason: "RegistrationStale",
      message: `the standby hosts last ran at ${metav1Time(new Date(lastRun))}, longer ago than standbyPowerOnInterval (${formatDuration(intervalMs)}): their AVD registration may have expired; a refresh renews it`,
    });
  return problems;
}

/** A standby host pool is reachable by users only through an application group in a workspace. */
async function appGroupProblems(
  ctx: PostureContext,
  inventory: Inventory,
  standby: "Primary" | "Secondary",
): Promise<Problem[]> {
  const pools = inventory.pools.filter((p) => p.region === standby);
  const dv = ctx.gateways.desktopVirtualization;
  const groups = [...new Set(pools.map((p) => p.resourceGroup.toLowerCase()))];
  const listed = await Promise.all(
    groups.map(async (rg) => ({
      groups: await dv.listApplicationGroups(rg),
      workspaces: await dv.listWorkspaces(rg),
    })),
  );
  const appGroups = listed.flatMap((l) => l.groups);
  const inWorkspace = new Set(
    listed.flatMap((l) => l.workspaces.flatMap((w) => w.applicationGroupIds.map((id) => id.toLowerCase()))),
  );
  const problems: Problem[] = [];
  for (const pool of pools) {
    const suffix =
      `/resourcegroups/${pool.resourceGroup}/providers/microsoft.desktopvirtualization/hostpools/${pool.name}`.toLowerCase();
    const mine = appGroups.filter((g) => g.hostPoolId.toLowerCase().endsWith(suffix));
    if (mine.length === 0)
      problems.push({
        reason: "ApplicationGroupMissing",
        message: `standby host pool ${pool.name} (${pool.field}) has no application group: users could not reach it after a failover; create one and assign users`,
      });
    else if (!mine.some((g) => g.workspaceId || inWorkspace.has(g.id.toLowerCase())))
      problems.push({
        reason: "WorkspaceMissing",
        message: `no application group of standby host pool ${pool.name} is in a workspace: add ${mine[0]!.name} to a workspace`,
      });
  }
  return problems;
}
