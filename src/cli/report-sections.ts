// The report's outline, once for every format: its sections in order, each a few blocks (text,
// tables, the timeline chart). The Markdown and HTML renderers lay these blocks out.
import type { Evidence } from "./report-evidence.ts";

export type Block =
  | { kind: "text"; text: string }
  | { kind: "note"; text: string }
  | { kind: "list"; items: string[]; empty: string }
  | { kind: "table"; header: string[]; rows: string[][]; role?: "facts" | "sessions"; monospace?: number[] }
  | { kind: "timeline" };

export interface Section {
  title?: string;
  blocks: Block[];
}

const text = (value: string | number | undefined) =>
  value === undefined || value === "" ? "-" : String(value);
const table = (
  header: string[],
  rows: Array<Array<string | number | undefined>>,
  extra: Partial<Extract<Block, { kind: "table" }>> = {},
): Block => ({ kind: "table", header, rows: rows.map((r) => r.map(text)), ...extra });

export function reportSections(e: Evidence): Section[] {
  const v = e.verification;
  return [
    {
      blocks: [
        ...(e.finished
          ? []
          : [
              {
                kind: "note" as const,
                text: "The request is still running: this is a snapshot of what it has recorded so far.",
              },
            ]),
        table(["Item", "Value"], e.facts, { role: "facts" }),
      ],
    },
    {
      title: "Timeline",
      blocks: [
        { kind: "timeline" },
        table(
          ["Phase", "Started", "Ended", "Took"],
          e.phases.map((p) => [p.phase, p.start, p.end, p.duration]),
        ),
      ],
    },
    {
      title: "Progress",
      blocks: [
        table(
          ["Step", "Done", "Of"],
          e.progress.map((m) => [m.label, m.done, `${m.total ?? "-"}${m.note ? ` (${m.note})` : ""}`]),
        ),
      ],
    },
    {
      title: "Users",
      blocks: [
        {
          kind: "text",
          text: "Each user session on the hosts left: when its user was told, and when it ended.",
        },
        table(
          ["User", "Session host", "Signed in", "Notified", "Logged off", "Signed out", "Outcome"],
          e.sessions.map((s) => [
            s.user,
            s.host,
            s.signedInAt,
            s.notifiedAt,
            s.loggedOffAt,
            s.signedOutAt,
            s.outcome,
          ]),
          { role: "sessions" },
        ),
      ],
    },
    {
      title: "Azure actions",
      blocks: [
        {
          kind: "text",
          text: "Every action the operator started in Azure, recorded before it was waited on.",
        },
        table(
          ["Step", "Action", "Target", "Started", "Ended", "Result", "Job or resource id"],
          e.actions.map((a) => [a.step, a.kind, a.target, a.startedAt, a.completedAt, a.result, a.id]),
          { monospace: [6] },
        ),
      ],
    },
    {
      title: "Verification",
      blocks: v
        ? [
            {
              kind: "text",
              text: `${v.available} host(s) Available of ${v.required} required, last looked at ${v.at}.`,
            },
            v.notAvailable.length > 0
              ? table(
                  ["Host not Available", "Status"],
                  v.notAvailable.map((h) => [h.host, h.status]),
                )
              : { kind: "text", text: "Every target host was Available." },
          ]
        : [{ kind: "text", text: "Not reached." }],
    },
    { title: "Errors", blocks: [{ kind: "list", items: e.errors, empty: "None." }] },
    {
      title: "Conditions",
      blocks: [
        table(
          ["Type", "Status", "Reason", "Since", "Message"],
          e.conditions.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime, c.message]),
        ),
      ],
    },
  ];
}

export const footer = (e: Evidence) =>
  `Generated ${e.generatedAt} by avd-dr report. Times are UTC, as the operator recorded them.`;
