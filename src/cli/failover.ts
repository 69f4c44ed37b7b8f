// `avd-dr failover PLAN --type Planned|Unplanned|Test …`: start a failover the careful way. The
// API server checks the request first (its CEL rules, without storing it); a dry run shows
// what the operator would do; a person confirms (the word itself for Unplanned); then the
// FailoverRequest is created and, with --wait, followed to its end.

import { type Command, Option } from "commander";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  type Direction,
  FAILOVER_KIND,
  FAILOVER_TYPES,
  type FailoverPreview,
  type FailoverRequest,
  type FailoverRequestSpec,
  type FailoverType,
} from "../api/index.ts";
import { statusCodeOf } from "../controller/errors.ts";
import { isTerminal } from "../reconcilers/failover/admission.ts";
import { activeRegionOf } from "../reconcilers/inventory.ts";
import { type AvddrClient, avddrClient, invalidFields } from "./avddr-client.ts";
import {
  commandAction,
  EXIT,
  type ExitCode,
  type Io,
  paint,
  RefusedError,
  UsageError,
} from "./command-io.ts";
import { confirm, ensureCanConfirm } from "./confirm.ts";
import { addFollowFlags, type FollowFlags, followSettings } from "./follow-flags.ts";
import { addKubeFlags, type KubeFlags, kubeTarget } from "./kube-flags.ts";
import { followAndReport, quietlyUntil } from "./live-view.ts";
import { exitCodeOf, outcome } from "./progress.ts";

export interface FailoverFlags extends KubeFlags, FollowFlags {
  type: string;
  to?: string;
  grace?: string;
  message?: string;
  commit: boolean;
  reprotect?: boolean;
  testNetwork?: string;
  dryRun?: boolean;
  wait?: boolean;
  yes?: boolean;
  name?: string;
}

/** How long the operator has to answer the dry run (real time). */
const PREVIEW_TIMEOUT_MS = 120_000;
/** How long to wait, without --wait, to see the request admitted or rejected. */
const ADMISSION_WAIT_MS = 10_000;

/** Which flag sets each field, so that the API server's refusal names the flag to fix. */
const FLAG_OF_FIELD: Record<string, string> = {
  "spec.type": "--type",
  "spec.direction": "--to",
  "spec.drain.gracePeriod": "--grace",
  "spec.drain.message": "--message",
  "spec.commit": "--no-commit",
  "spec.reprotect": "--reprotect",
  "spec.testNetworkId": "--test-network",
  "metadata.name": "--name",
  "metadata.generateName": "PLAN",
};

function failoverType(value: string): FailoverType {
  const type = FAILOVER_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!type) throw new UsageError(`--type must be one of ${FAILOVER_TYPES.join(", ")}, got "${value}"`);
  return type;
}

/** --to primary|secondary, else away from the region the plan is active in. */
function direction(to: string | undefined, plan: AvdDisasterRecoveryPlan): Direction {
  const active = activeRegionOf(plan);
  if (to === undefined) return active === "Primary" ? "ToSecondary" : "ToPrimary";
  const wanted = to.toLowerCase();
  if (wanted !== "primary" && wanted !== "secondary")
    throw new UsageError(`--to must be primary or secondary, got "${to}"`);
  if (wanted === active.toLowerCase())
    throw new UsageError(
      `--to ${wanted}: plan ${plan.metadata.name} is already active in its ${wanted} region (${plan.spec[wanted].location}); fail over to the other one`,
    );
  return wanted === "secondary" ? "ToSecondary" : "ToPrimary";
}

function specFrom(
  flags: FailoverFlags,
  plan: AvdDisasterRecoveryPlan,
  type: FailoverType,
): FailoverRequestSpec {
  const drain = {
    ...(flags.grace !== undefined ? { gracePeriod: flags.grace } : {}),
    ...(flags.message !== undefined ? { message: flags.message } : {}),
  };
  return {
    planRef: { name: plan.metadata.name! },
    type,
    direction: direction(flags.to, plan),
    ...(Object.keys(drain).length > 0 ? { drain } : {}),
    ...(flags.commit ? {} : { commit: false }),
    ...(flags.reprotect ? { reprotect: true } : {}),
    ...(flags.testNetwork !== undefined ? { testNetworkId: flags.testNetwork } : {}),
    // Asked for below (or given by --yes); nothing is created without it.
    ...(type === "Unplanned" ? { acknowledgeDataLoss: true } : {}),
  };
}

function requestFor(
  plan: AvdDisasterRecoveryPlan,
  spec: FailoverRequestSpec,
  name?: string,
): FailoverRequest {
  const target =
    spec.type === "Test" ? "test" : spec.direction === "ToPrimary" ? "to-primary" : "to-secondary";
  return {
    apiVersion: API_VERSION,
    kind: FAILOVER_KIND,
    metadata: name ? { name } : { generateName: `${plan.metadata.name}-${target}-` },
    spec,
  };
}

/** Creates the request (or only validates it), turning the API server's 422 into the flags to fix. */
async function create(
  client: AvddrClient,
  namespace: string,
  body: FailoverRequest,
  validateOnly = false,
): Promise<FailoverRequest> {
  try {
    return await client.createRequest(namespace, body, validateOnly);
  } catch (error) {
    if (statusCodeOf((error as Error).cause) === 409)
      throw new UsageError(
        `--name ${body.metadata.name}: a FailoverRequest of that name exists; pick another`,
      );
    const fields = invalidFields(error);
    if (!fields || fields.length === 0) throw error;
    throw new UsageError(fields.map((f) => `${FLAG_OF_FIELD[f.field] ?? f.field}: ${f.message}`).join("; "));
  }
}

/** Runs a dry run of `spec` through the operator and returns what it found it would do. */
async function preview(
  client: AvddrClient,
  namespace: string,
  plan: AvdDisasterRecoveryPlan,
  spec: FailoverRequestSpec,
  pollMs: number,
): Promise<FailoverPreview> {
  const body = requestFor(plan, { ...spec, dryRun: true });
  body.metadata = { generateName: `${plan.metadata.name}-dry-run-` };
  const created = await create(client, namespace, body);
  const name = created.metadata.name!;
  try {
    const done = await quietlyUntil(client, namespace, name, {
      pollMs,
      timeoutMs: PREVIEW_TIMEOUT_MS,
      until: isTerminal,
    }).catch(async (error: Error) => {
      if (error.name !== "TimeoutError") throw error;
      const last = await client.getRequest(namespace, name);
      throw new RefusedError(
        `the operator did not answer the dry run ${name} within ${PREVIEW_TIMEOUT_MS / 1000}s (${last?.status?.message ?? "not admitted"}): is it running for namespace ${namespace}?`,
      );
    });
    if (done.status?.phase !== "Succeeded" || !done.status.preview)
      throw new RefusedError(
        `the dry run was ${done.status?.phase}: ${done.status?.message ?? "no message"}`,
      );
    return done.status.preview;
  } finally {
    // The dry run is only the preview; the failover that follows is its own request.
    await client.deleteRequest(namespace, name);
  }
}

function describePreview(
  plan: AvdDisasterRecoveryPlan,
  spec: FailoverRequestSpec,
  p: FailoverPreview,
  io: Io,
): string {
  const from = spec.direction === "ToPrimary" ? plan.spec.secondary : plan.spec.primary;
  const to = spec.direction === "ToPrimary" ? plan.spec.primary : plan.spec.secondary;
  const lines = [
    paint(io.out, "bold", `${spec.type} failover of plan ${plan.metadata.namespace}/${plan.metadata.name}`) +
      ` (${plan.spec.strategy}): ${from.location} → ${to.location}`,
    "The operator would:",
    ...p.steps.map((step, i) => `  ${i + 1}. ${step}`),
    `${p.armWrites} ARM write(s); at least ${p.estimatedDuration} within ARM's budget and the grace period, plus Azure's own time.`,
  ];
  if (spec.type === "Unplanned") {
    const r = plan.status?.replication;
    const lag = r?.worstRpo
      ? ` (worst replication lag now: ${r.worstRpo}${r.worstRpoItem ? ` on ${r.worstRpoItem}` : ""})`
      : "";
    lines.push(
      "",
      paint(io.out, ["bold", "red"], "DATA LOSS: an Unplanned failover treats the source region as lost."),
      `Users get no grace period and are not logged off, the source is not shut down first, and whatever was written in ${from.location} since the last recovery point is lost${lag}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** After creating without --wait: a moment to see it admitted (or rejected), then where to follow it. */
async function reportAdmission(
  client: AvddrClient,
  namespace: string,
  name: string,
  pollMs: number,
  io: Io,
): Promise<ExitCode> {
  const admitted = await quietlyUntil(client, namespace, name, {
    pollMs,
    timeoutMs: ADMISSION_WAIT_MS,
    until: (r) => r.status?.phase !== undefined,
  }).catch(() => client.getRequest(namespace, name));
  if (admitted?.status?.phase === "Rejected")
    throw new RefusedError(`FailoverRequest ${name} was rejected: ${admitted.status.message}`);
  if (admitted && isTerminal(admitted)) {
    io.out.write(`${outcome(admitted)}\n`);
    return exitCodeOf(admitted);
  }
  io.out.write(`Follow it: avd-dr watch ${name} -n ${namespace}\n`);
  return EXIT.ok;
}

export async function failover(planName: string, flags: FailoverFlags, io: Io): Promise<ExitCode> {
  const type = failoverType(flags.type);
  if (!flags.yes && !flags.dryRun) ensureCanConfirm(io, type);
  const settings = await followSettings(flags);
  const { kc, namespace } = kubeTarget(flags);
  const client = avddrClient(kc);
  const plan = await client.getPlan(namespace, planName);
  if (!plan)
    throw new UsageError(
      `no AvdDisasterRecoveryPlan ${planName} in namespace ${namespace}: \`avd-dr status -n ${namespace}\` lists the plans`,
    );
  const active = plan.status?.activeFailover;
  if (active)
    throw new RefusedError(
      `plan ${planName} already has an active failover, ${active.name} (${active.phase}); one runs at a time: follow it with \`avd-dr watch ${active.name} -n ${namespace}\``,
    );
  const spec = specFrom(flags, plan, type);
  const body = requestFor(plan, spec, flags.name);
  await create(client, namespace, body, true);

  io.out.write(
    describePreview(plan, spec, await preview(client, namespace, plan, spec, settings.pollMs), io),
  );
  if (flags.dryRun) {
    io.out.write("Dry run: nothing was changed.\n");
    return EXIT.ok;
  }
  if (!flags.yes && !(await confirm(io, type))) throw new RefusedError("not confirmed: nothing was changed");

  const created = await create(client, namespace, body);
  const name = created.metadata.name!;
  io.out.write(`FailoverRequest ${namespace}/${name} created.\n`);
  if (!flags.wait) return reportAdmission(client, namespace, name, settings.pollMs, io);
  return exitCodeOf(await followAndReport(client, namespace, name, io.out, settings.clock, settings));
}

export function registerFailover(program: Command): void {
  const command = program
    .command("failover")
    .description(
      "fail a plan over (or back): show what will happen, confirm, create the FailoverRequest, optionally follow it",
    )
    .argument("<plan>", "AvdDisasterRecoveryPlan name")
    .addOption(
      new Option(
        "--type <type>",
        "Planned (no data loss), Unplanned (source lost) or Test (a drill)",
      ).makeOptionMandatory(),
    )
    .option("--to <region>", "primary or secondary (default: the region the plan is not active in)")
    .option("--grace <duration>", "time between the users' notice and their log-off (default: the plan's)")
    .option("--message <text>", "the notice sent to users (default: the plan's)")
    .option("--no-commit", "do not commit the Site Recovery failover (keeps the other recovery points)")
    .option("--reprotect", "after the commit, replicate back to the region left (Site Recovery)")
    .option("--test-network <id>", "Test: the isolated virtual network's resource id (Site Recovery)")
    .option("--dry-run", "only show what would be done")
    .option("--wait", "follow the failover live until it ends; the exit code says how it ended")
    .option("-y, --yes", "do not ask (for Unplanned: acknowledges the data loss)")
    .option("--name <name>", "name of the FailoverRequest (default: generated from the plan's)");
  addFollowFlags(addKubeFlags(command)).action(
    commandAction(`${program.name()} failover`, (io, plan: string, flags: FailoverFlags) =>
      failover(plan, flags, io),
    ),
  );
}
