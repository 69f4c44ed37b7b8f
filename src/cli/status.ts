// `avd-dr status [-n NS | -A]`: every plan's readiness for a disaster in one table, then why
// each condition that is not True is not (and any failover running now).
import type { Command } from "commander";
import { type AvdDisasterRecoveryPlan, type Condition, getCondition, PlanConditions } from "../api/index.ts";
import { avddrClient } from "./avddr-client.ts";
import { commandAction, EXIT, type ExitCode, type Io, paint } from "./command-io.ts";
import { addKubeFlags, type KubeFlags, kubeTarget } from "./kube-flags.ts";
import { textTable } from "./text-table.ts";

const SHOWN = [
  PlanConditions.Ready,
  PlanConditions.Protected,
  PlanConditions.StandbyDeallocated,
  PlanConditions.FailoverReady,
] as const;
/** kstatus's abnormal-true conditions: worth a line only when True. */
const ABNORMAL_TRUE: ReadonlySet<string> = new Set([PlanConditions.Reconciling, PlanConditions.Stalled]);

const key = (p: AvdDisasterRecoveryPlan) => `${p.metadata.namespace}/${p.metadata.name}`;

const CONDITION_COLOUR = { True: "green", False: "red", Unknown: "yellow" } as const;

function row(plan: AvdDisasterRecoveryPlan, withNamespace: boolean, io: Io): string[] {
  const s = plan.status ?? {};
  const region = s.activeRegion;
  const location = region === "Secondary" ? plan.spec.secondary.location : plan.spec.primary.location;
  const last = s.lastFailover;
  return [
    ...(withNamespace ? [plan.metadata.namespace ?? ""] : []),
    plan.metadata.name ?? "",
    plan.spec.strategy,
    region ? `${region} (${location})` : "-",
    ...SHOWN.map((type) => {
      const status = getCondition(s.conditions, type)?.status;
      return status ? paint(io.out, CONDITION_COLOUR[status], status) : "-";
    }),
    s.replication?.worstRpo ?? "-",
    last ? `${last.name} (${last.type ?? "?"}, ${last.phase})` : "-",
    last?.rto ?? "-",
  ];
}

/** The lines below the table: conditions that are not as they should be, and running failovers. */
function notes(plans: readonly AvdDisasterRecoveryPlan[], io: Io): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const s = plan.status;
    if (plan.spec.suspend) lines.push(`${key(plan)}: suspended (spec.suspend): not reconciled`);
    if (!s?.conditions)
      lines.push(`${key(plan)}: no status yet: is the operator running for this namespace?`);
    const odd = (c: Condition) => (ABNORMAL_TRUE.has(c.type) ? c.status === "True" : c.status !== "True");
    for (const c of (s?.conditions ?? []).filter(odd)) {
      const what = paint(io.out, c.status === "Unknown" ? "yellow" : "red", `${c.type}=${c.status}`);
      lines.push(`${key(plan)}: ${what} ${c.reason}: ${c.message}`);
    }
    const active = s?.activeFailover;
    if (active)
      lines.push(
        `${key(plan)}: failover ${active.name} is running (${active.phase}): avd-dr watch ${active.name} -n ${plan.metadata.namespace}`,
      );
  }
  return lines;
}

export function renderStatus(
  plans: readonly AvdDisasterRecoveryPlan[],
  withNamespace: boolean,
  io: Io,
): string {
  const header = [
    ...(withNamespace ? ["NAMESPACE"] : []),
    "NAME",
    "STRATEGY",
    "ACTIVE",
    ...SHOWN.map((c) => c.replace(/(?<=[a-z])(?=[A-Z])/g, "-").toUpperCase()),
    "WORST-RPO",
    "LAST-FAILOVER",
    "RTO",
  ];
  const table = textTable(
    header,
    plans.map((p) => row(p, withNamespace, io)),
  );
  const below = notes(plans, io);
  return `${table}\n${below.length > 0 ? `\n${below.join("\n")}\n` : ""}`;
}

export async function status(flags: KubeFlags, io: Io): Promise<ExitCode> {
  const target = kubeTarget(flags);
  const namespace = target.allNamespaces ? undefined : target.namespace;
  const plans = await avddrClient(target.kc).listPlans(namespace);
  if (plans.length === 0) {
    io.out.write(`No AvdDisasterRecoveryPlans found${namespace ? ` in namespace ${namespace}` : ""}.\n`);
    return EXIT.ok;
  }
  io.out.write(renderStatus(plans, target.allNamespaces, io));
  return EXIT.ok;
}

export function registerStatus(program: Command): void {
  const command = program
    .command("status")
    .description(
      "plans and their readiness: active region, conditions, worst RPO, last failover and its RTO",
    );
  addKubeFlags(command, { allNamespaces: true }).action(
    commandAction(`${program.name()} status`, (io, flags: KubeFlags) => status(flags, io)),
  );
}
