// Verify: the failover counts as done once enough session hosts of the target region report
// Available (the plan's verify policy), personal desktops are still assigned to the same users,
// and users can reach the target pools (an application group in a workspace). The verify
// timeout ends the request with the evidence: which hosts are not Available, and their status.
import { formatDuration, metav1Time } from "../../../api/index.ts";
import { some } from "../../some.ts";
import type { FailoverScope } from "../scope.ts";
import { count } from "../status.ts";
import { done, failed, POLL_MS, type StepResult, wait } from "../step.ts";
import type { FailoverStrategy } from "../strategies/strategy.ts";
import { phaseStartedAt } from "../timeline.ts";

export async function verify(scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult> {
  const now = scope.now();
  const targets = await strategy.verifyTargets(scope);
  const required = scope.verify.required(targets.length);
  const available = targets.filter((t) => t.available);
  const notAvailable = targets.filter((t) => !t.available);
  scope.status.totals = { ...scope.status.totals, targetHosts: targets.length, requiredHosts: required };
  count(scope.status, { hostsVerified: available.length });
  scope.status.verification = {
    at: metav1Time(now),
    available: available.length,
    required,
    notAvailable: notAvailable.slice(0, 100).map((t) => ({ host: t.name, status: t.status })),
  };
  if (required > targets.length)
    return failed(
      "TooFewTargetHosts",
      `the plan's verify policy needs ${required} Available host(s) but the target region has only ${targets.length}: lower spec.verify.minAvailableHosts (or add hosts) and fail over again`,
    );
  const drill = scope.request.spec.type === "Test";
  const problems = drill
    ? []
    : [...(await assignmentProblems(scope)), ...(await reachabilityProblems(scope))];
  if (problems.length > 0) return failed("VerificationFailed", `${problems.join("; ")}`);
  if (available.length >= required)
    return done(`${available.length} of ${targets.length} target host(s) Available (${required} required)`);
  const waited = now.getTime() - phaseStartedAt(scope.status, "Verifying", now);
  if (waited > scope.verify.timeoutMs)
    return failed(
      "VerifyTimeout",
      `after ${formatDuration(waited)} (spec.verify.timeout), only ${available.length} of ${targets.length} target host(s) are Available and ${required} are required; not Available: ${some(
        notAvailable.map((t) => `${t.name} (${t.status})`),
        10,
      )}. Check those hosts' VMs and AVD agents; once enough are Available, users can sign in, and a new FailoverRequest of the same direction finishes the run`,
    );
  return wait(
    `${available.length} of ${targets.length} target host(s) Available, ${required} required`,
    POLL_MS,
  );
}

/** Personal desktops keep their user: the assignments recorded before the failover still hold. */
async function assignmentProblems(scope: FailoverScope): Promise<string[]> {
  const recorded = scope.status.assignments ?? [];
  if (recorded.length === 0) return [];
  const inventory = await scope.inventory();
  const now = new Map(inventory.hosts.map((h) => [h.info.name.toLowerCase(), h.info.assignedUser]));
  const changed = recorded.filter(
    (a) =>
      now.has(a.host.toLowerCase()) && now.get(a.host.toLowerCase())?.toLowerCase() !== a.user.toLowerCase(),
  );
  if (changed.length === 0) return [];
  return [
    `personal desktop assignments changed during the failover: ${some(changed.map((a) => `${a.host} was ${a.user}, now ${now.get(a.host.toLowerCase()) ?? "nobody"}`))}; reassign them in the host pool`,
  ];
}

/** Users reach a host pool only through an application group in a workspace. */
async function reachabilityProblems(scope: FailoverScope): Promise<string[]> {
  const inventory = await scope.inventory();
  const pools = inventory.pools.filter((p) => p.region === undefined || p.region === scope.to);
  const dv = scope.gateways.desktopVirtualization;
  const problems: string[] = [];
  for (const rg of new Set(pools.map((p) => p.resourceGroup))) {
    const [groups, workspaces] = await Promise.all([dv.listApplicationGroups(rg), dv.listWorkspaces(rg)]);
    const inWorkspace = new Set(
      workspaces.flatMap((w) => w.applicationGroupIds.map((id) => id.toLowerCase())),
    );
    for (const pool of pools.filter((p) => p.resourceGroup === rg)) {
      const suffix = `/hostpools/${pool.name}`.toLowerCase();
      const mine = groups.filter((g) => g.hostPoolId.toLowerCase().endsWith(suffix));
      if (!mine.some((g) => g.workspaceId || inWorkspace.has(g.id.toLowerCase())))
        problems.push(
          `host pool ${pool.name} has no application group in a workspace, so users cannot reach it: add one`,
        );
    }
  }
  return problems;
}
