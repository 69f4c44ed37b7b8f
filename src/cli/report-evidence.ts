// The evidence of one failover or drill, gathered from its FailoverRequest (and its plan) into
// what an auditor reads: who moved where and when, the recovery time and point, what happened
// to each user, every Azure action with its outcome, the verification, and what went wrong.
// The renderers (Markdown, HTML) only lay this out.
import {
  type AvdDisasterRecoveryPlan,
  type Condition,
  drainHistory,
  type FailoverRequest,
  formatDuration,
  metav1Time,
  parseSessionKey,
  type Region,
  type RegionSpec,
  sessionSignInTime,
} from "../api/index.ts";
import { isTerminal } from "../reconcilers/failover/admission.ts";
import { regionSpec } from "../reconcilers/inventory.ts";
import { type Meter, meters, route } from "./progress.ts";

export interface SessionEvidence {
  host: string;
  sessionId: string;
  user: string;
  /** When the user signed in (from the session's create time), if recorded. */
  signedInAt?: string;
  notifiedAt?: string;
  loggedOffAt?: string;
  signedOutAt?: string;
  outcome: string;
}

export interface PhaseEvidence {
  phase: string;
  start: string;
  end?: string;
  duration?: string;
}

export interface ActionEvidence {
  step: string;
  kind: string;
  /** The resource's name (the last segment of its id). */
  target: string;
  targetId: string;
  id: string;
  startedAt: string;
  completedAt?: string;
  result: string;
}

export interface Evidence {
  title: string;
  generatedAt: string;
  finished: boolean;
  /** The achieved recovery time, once verified. */
  rto?: string;
  facts: Array<[string, string]>;
  phases: PhaseEvidence[];
  progress: Meter[];
  sessions: SessionEvidence[];
  actions: ActionEvidence[];
  verification?: {
    at: string;
    available: number;
    required: number;
    notAvailable: Array<{ host: string; status: string }>;
  };
  conditions: Condition[];
  errors: string[];
  /** Epoch ms of the start and the end of the timeline. */
  window?: { start: number; end: number };
  /** Instants of notices and log-offs, for the timeline. */
  marks: Array<{ kind: "notice" | "logOff" | "signOut" | "action"; at: string; count: number }>;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : metav1Time(new Date(ms)));

function sessions(request: FailoverRequest): SessionEvidence[] {
  return drainHistory(request.status?.drain)
    .map((h) => {
      const signedIn = sessionSignInTime(h.key);
      const signedInAt = signedIn && metav1Time(signedIn);
      const loggedOffAt = iso(h.loggedOffAt);
      const signedOutAt = iso(h.signedOutAt);
      return {
        ...parseSessionKey(h.key),
        ...(signedInAt ? { signedInAt } : {}),
        notifiedAt: iso(h.notifiedAt)!,
        ...(loggedOffAt ? { loggedOffAt } : {}),
        ...(signedOutAt ? { signedOutAt } : {}),
        outcome: loggedOffAt
          ? "logged off"
          : signedOutAt
            ? "signed out after the notice"
            : "notified, not logged off",
      };
    })
    .sort((a, b) => a.user.localeCompare(b.user) || a.host.localeCompare(b.host));
}

const KSTATUS: ReadonlySet<string> = new Set(["Ready", "Reconciling", "Stalled"]);

const lastSegment = (id: string) => id.split("/").filter(Boolean).at(-1) ?? id;

function regionFacts(
  label: string,
  region: string | undefined,
  spec: RegionSpec | undefined,
): [string, string] {
  return [
    label,
    spec
      ? `${region} — ${spec.location}, ${spec.resourceGroup} (${spec.hostPools.join(", ")})`
      : (region ?? "-"),
  ];
}

function errors(request: FailoverRequest): string[] {
  const s = request.status ?? {};
  const out: string[] = [];
  if (s.phase === "Failed" || s.phase === "Rejected") out.push(`${s.phase}: ${s.message ?? "no message"}`);
  // The steps' conditions; Ready, Reconciling and Stalled only summarise them.
  for (const c of s.conditions ?? [])
    if (c.status === "False" && c.reason !== "InProgress" && !KSTATUS.has(c.type))
      out.push(`${c.type}: ${c.reason}: ${c.message}`);
  for (const op of s.operations ?? [])
    if (op.result === "Failed" || op.result === "Cancelled")
      out.push(`${op.kind} on ${lastSegment(op.target ?? op.id)} ${op.result.toLowerCase()} (${op.id})`);
  if (s.drain?.skipped) out.push(`drain: ${s.drain.skipped}`);
  return [...new Set(out)];
}

export function gatherEvidence(
  request: FailoverRequest,
  plan: AvdDisasterRecoveryPlan | undefined,
  generatedAt: Date = new Date(),
): Evidence {
  const s = request.status ?? {};
  const spec = request.spec;
  const finished = isTerminal(request);
  const specOf = (r: Region | undefined) => (plan && r ? regionSpec(plan, r) : undefined);
  const kind = spec.type === "Test" ? "Drill" : spec.direction === "ToPrimary" ? "Failback" : "Failover";
  const facts: Array<[string, string]> = [
    ["FailoverRequest", `${request.metadata.namespace}/${request.metadata.name}`],
    [
      "Plan",
      plan
        ? `${plan.metadata.name} (strategy ${plan.spec.strategy}, subscription ${plan.spec.subscriptionId})`
        : `${spec.planRef.name} (no longer exists)`,
    ],
    ["Type", `${spec.type}${spec.dryRun ? " (dry run)" : ""}, ${route(request)}`],
    regionFacts("From", s.fromRegion, specOf(s.fromRegion)),
    regionFacts("To", s.toRegion, specOf(s.toRegion)),
    // The API server's clock; the other times are the operator's (the same but in a rehearsal).
    [
      "Requested",
      request.metadata.creationTimestamp ? metav1Time(new Date(request.metadata.creationTimestamp)) : "-",
    ],
    ["Started", s.startTime ?? "-"],
    ["Completed", s.completionTime ?? (finished ? "-" : "still running")],
    ["Result", s.phase ?? "not admitted yet"],
    ["RTO (achieved)", s.rto ?? "-"],
    ["RPO at failover (worst replication lag)", s.rpoAtFailover ?? "-"],
    ["Drain grace period", s.drain?.gracePeriod ?? "-"],
    [
      "Commit / reprotect",
      `${(spec.commit ?? true) ? "commit" : "no commit"}, ${spec.reprotect ? "reprotect" : "no reprotect"}`,
    ],
    ["Message", s.message ?? "-"],
  ];
  const phases = (s.phases ?? []).map((p) => ({
    phase: p.phase,
    start: p.startTime,
    ...(p.completionTime
      ? {
          end: p.completionTime,
          duration: formatDuration(Date.parse(p.completionTime) - Date.parse(p.startTime)),
        }
      : {}),
  }));
  const actions = (s.operations ?? []).map((op) => ({
    step: op.step,
    kind: `${op.kind}${op.adopted ? " (adopted: already running)" : ""}`,
    target: lastSegment(op.target ?? op.id),
    targetId: op.target ?? "",
    id: op.id,
    startedAt: op.startedAt,
    ...(op.completedAt ? { completedAt: op.completedAt } : {}),
    result: op.result ?? "no outcome recorded",
  }));
  const marks: Evidence["marks"] = [
    ...(s.drain?.notified ?? []).map((b) => ({
      kind: "notice" as const,
      at: b.at,
      count: b.count,
    })),
    ...(s.drain?.loggedOff ?? []).map((b) => ({
      kind: "logOff" as const,
      at: b.at,
      count: b.sessions.length,
    })),
    ...(s.drain?.signedOut ?? []).map((b) => ({
      kind: "signOut" as const,
      at: b.at,
      count: b.sessions.length,
    })),
    ...(s.operations ?? []).map((op) => ({ kind: "action" as const, at: op.startedAt, count: 1 })),
  ];
  const start = Date.parse(s.startTime ?? "");
  // A running request ends, for now, at the last thing it recorded (its times are the operator's clock).
  const recorded = [
    s.completionTime,
    s.verification?.at,
    ...phases.flatMap((p) => [p.start, p.end]),
    ...marks.map((m) => m.at),
  ].map((t) => Date.parse(t ?? ""));
  const end = Math.max(...recorded.filter((t) => !Number.isNaN(t)), start);
  return {
    title: `${kind} report: ${request.metadata.namespace}/${request.metadata.name}`,
    generatedAt: generatedAt.toISOString(),
    finished,
    ...(s.rto ? { rto: s.rto } : {}),
    facts,
    phases,
    progress: meters(request),
    sessions: sessions(request),
    actions,
    ...(s.verification
      ? {
          verification: {
            at: s.verification.at,
            available: s.verification.available,
            required: s.verification.required,
            notAvailable: s.verification.notAvailable ?? [],
          },
        }
      : {}),
    conditions: s.conditions ?? [],
    errors: errors(request),
    ...(Number.isNaN(start) ? {} : { window: { start, end: Math.max(end, start + 1000) } }),
    marks,
  };
}
