// The failover's timeline as an inline SVG: one bar per phase on a time axis from the request's
// start, the instants users were notified and logged off, and when Azure actions were started.
// Plain SVG 1.1 with <title> tooltips: no script, no fonts or anything else fetched.
import { formatDuration } from "../api/index.ts";
import type { Evidence } from "./report-evidence.ts";

export const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const WIDTH = 900;
const LABEL_WIDTH = 150;
const ROW = 30;
const AXIS = 30;
const CHART = WIDTH - LABEL_WIDTH - 20;

const PHASE_COLOURS: Record<string, string> = {
  Draining: "#d97706",
  FailingOver: "#2563eb",
  Verifying: "#059669",
  Committing: "#7c3aed",
  Reprotecting: "#db2777",
  CleaningUp: "#64748b",
};

const MARK_ROWS = [
  { kind: "notice", label: "Users notified", colour: "#d97706" },
  { kind: "logOff", label: "Users logged off", colour: "#dc2626" },
  { kind: "signOut", label: "Users signed out", colour: "#64748b" },
  { kind: "action", label: "Azure actions", colour: "#2563eb" },
] as const;

/** A tick step that puts at most about eight ticks on the axis. */
function tickStep(spanMs: number): number {
  const steps = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].map((s) => s * 1000);
  return steps.find((s) => spanMs / s <= 8) ?? 86_400_000;
}

/** "+90s", "+5m", "+1h30m": a tick's offset without the zero parts. */
const tickLabel = (ms: number) =>
  formatDuration(ms)
    .replace(/(?<=[hm])0s$/, "")
    .replace(/(?<=h)0m$/, "");

export function timelineSvg(e: Evidence): string {
  if (!e.window) return "";
  const { start, end } = e.window;
  const span = end - start;
  const x = (t: string | number) => {
    const ms = typeof t === "number" ? t : Date.parse(t);
    return LABEL_WIDTH + ((Math.min(Math.max(ms, start), end) - start) / span) * CHART;
  };
  const marks = MARK_ROWS.filter((r) => e.marks.some((m) => m.kind === r.kind));
  const rows = e.phases.length + marks.length;
  const height = AXIS + rows * ROW + 10;
  const rowY = (i: number) => AXIS + i * ROW;
  const parts: string[] = [];

  const step = tickStep(span);
  for (let t = 0; t <= span; t += step) {
    const tx = x(start + t);
    parts.push(
      `<line class="tick" x1="${tx.toFixed(1)}" y1="${AXIS - 6}" x2="${tx.toFixed(1)}" y2="${height - 10}" stroke="#e5e7eb"/>`,
      `<text x="${tx.toFixed(1)}" y="${AXIS - 10}" font-size="11" text-anchor="middle" fill="#6b7280">+${tickLabel(t)}</text>`,
    );
  }
  e.phases.forEach((p, i) => {
    const x1 = x(p.start);
    const x2 = x(p.end ?? end);
    const y = rowY(i);
    const colour = PHASE_COLOURS[p.phase] ?? "#6b7280";
    const tip = `${p.phase}: ${p.start} → ${p.end ?? "running"}${p.duration ? ` (${p.duration})` : ""}`;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 19}" font-size="12" text-anchor="end" fill="#111827">${escapeXml(p.phase)}</text>`,
      `<rect class="phase" data-phase="${escapeXml(p.phase)}" x="${x1.toFixed(1)}" y="${y + 6}" width="${Math.max(2, x2 - x1).toFixed(1)}" height="${ROW - 12}" rx="3" fill="${colour}"><title>${escapeXml(tip)}</title></rect>`,
      // The duration beside its bar, or inside it where the bar reaches the right edge.
      x2 + 60 < WIDTH
        ? `<text x="${(Math.max(x1 + 2, x2) + 4).toFixed(1)}" y="${y + 19}" font-size="11" fill="#374151">${escapeXml(p.duration ?? "running")}</text>`
        : `<text x="${(x2 - 4).toFixed(1)}" y="${y + 19}" font-size="11" text-anchor="end" fill="#ffffff">${escapeXml(p.duration ?? "running")}</text>`,
    );
  });
  marks.forEach((row, j) => {
    const y = rowY(e.phases.length + j);
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 19}" font-size="12" text-anchor="end" fill="#111827">${row.label}</text>`,
      `<g class="marks" data-kind="${row.kind}">`,
      ...e.marks
        .filter((m) => m.kind === row.kind)
        .map(
          (m) =>
            `<circle cx="${x(m.at).toFixed(1)}" cy="${y + ROW / 2}" r="${Math.min(9, 3 + Math.log2(m.count + 1))}" fill="${row.colour}" fill-opacity="0.7"><title>${escapeXml(`${m.at}: ${m.count} ${row.label.toLowerCase()}`)}</title></circle>`,
        ),
      "</g>",
    );
  });
  // Users can work again once the target hosts are verified: the RTO.
  const verified = e.phases.find((p) => p.phase === "Verifying")?.end;
  if (verified && e.rto) {
    const vx = x(verified).toFixed(1);
    parts.push(
      `<line class="rto" x1="${vx}" y1="${AXIS - 4}" x2="${vx}" y2="${height - 10}" stroke="#111827" stroke-dasharray="4 3"/>`,
      `<text x="${vx}" y="${height - 1}" font-size="11" text-anchor="${Number(vx) > WIDTH - 120 ? "end" : "middle"}" fill="#111827">verified: RTO ${escapeXml(e.rto)}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height + 4}" viewBox="0 0 ${WIDTH} ${height + 4}" role="img" aria-label="Timeline of the failover">`,
    ...parts,
    "</svg>",
  ].join("\n");
}
