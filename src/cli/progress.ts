// A failover's progress as people read it: how far each step is (counters against the totals the
// runner records), how long it has run, and its outcome. Shared by the live view, the demo and
// the report, so that they all count the same way.
import { type FailoverRequest, formatDuration } from "../api/index.ts";
import type { Clock } from "../reconcilers/clock.ts";
import { EXIT, type ExitCode } from "./command-io.ts";

export interface Meter {
  label: string;
  done: number;
  /** Undefined until the runner has counted the work (the step has not looked yet). */
  total?: number;
  note?: string;
}

export function meters(request: FailoverRequest): Meter[] {
  const c = request.status?.counters;
  const t = request.status?.totals ?? {};
  const drains = request.spec.type !== "Test";
  const meter = (label: string, done: number | undefined, total: number | undefined, note?: string) => ({
    label,
    done: done ?? 0,
    ...(total !== undefined ? { total } : {}),
    ...(note ? { note } : {}),
  });
  return [
    ...(drains
      ? [
          meter("Hosts drained", c?.hostsDrained, t.hosts),
          meter("Sessions notified", c?.sessionsNotified, t.sessions),
          meter("Sessions logged off", c?.sessionsLoggedOff, t.sessions),
        ]
      : []),
    meter("Items failed over", c?.itemsFailedOver, t.items),
    meter(
      "Hosts verified",
      c?.hostsVerified,
      t.targetHosts,
      t.requiredHosts !== undefined ? `${t.requiredHosts} required` : undefined,
    ),
  ];
}

/** Milliseconds the request has run: from its start to its completion, or to now on `clock`. */
export function elapsedMs(request: FailoverRequest, clock: Clock): number {
  const s = request.status;
  const start = Date.parse(s?.startTime ?? request.metadata.creationTimestamp?.toString() ?? "");
  if (Number.isNaN(start)) return 0;
  const end = s?.completionTime ? Date.parse(s.completionTime) : clock.now().getTime();
  return Math.max(0, end - start);
}

export const elapsed = (request: FailoverRequest, clock: Clock): string =>
  formatDuration(elapsedMs(request, clock));

/** Where it goes: "Primary → Secondary (westeurope → northeurope)" once known. */
export function route(request: FailoverRequest): string {
  const s = request.status;
  const direction = request.spec.direction ?? "ToSecondary";
  const from = s?.fromRegion ?? (direction === "ToSecondary" ? "Primary" : "Secondary");
  const to = s?.toRegion ?? (direction === "ToSecondary" ? "Secondary" : "Primary");
  return `${from} → ${to}`;
}

export function exitCodeOf(request: FailoverRequest): ExitCode {
  return request.status?.phase === "Succeeded" ? EXIT.ok : EXIT.failed;
}

/** One line on how it ended, for the end of a live view. */
export function outcome(request: FailoverRequest): string {
  const s = request.status ?? {};
  const name = `FailoverRequest ${request.metadata.namespace}/${request.metadata.name}`;
  if (s.phase === "Succeeded") {
    if (request.spec.dryRun) return `${name}: dry run finished; nothing was changed`;
    return `${name} Succeeded (${request.spec.type}, ${route(request)})${s.rto ? `: RTO ${s.rto}` : ""}`;
  }
  return `${name} ${s.phase}: ${s.message ?? "no message"}`;
}
