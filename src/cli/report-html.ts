// The evidence as one self-contained HTML page: styles inline, the timeline an inline SVG,
// nothing fetched from the network, so the file can be archived and opened anywhere.
import type { Evidence } from "./report-evidence.ts";
import { type Block, footer, reportSections } from "./report-sections.ts";
import { escapeXml as esc, timelineSvg } from "./report-timeline-svg.ts";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #e5e7eb; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #f3f4f6; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; }
td.id { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
table.facts th { width: 16rem; }
td.Succeeded { color: #047857; font-weight: 600; } td.Failed, td.Rejected { color: #b91c1c; font-weight: 600; }
.note { background: #fffbeb; border: 1px solid #fcd34d; padding: .5rem .75rem; }
figure { margin: 1rem 0; overflow-x: auto; }
footer { margin-top: 2rem; color: #6b7280; font-size: 12px; }
`;

const RESULTS: ReadonlySet<string> = new Set(["Succeeded", "Failed", "Rejected"]);

function table(b: Extract<Block, { kind: "table" }>): string {
  if (b.rows.length === 0) return "<p><em>None recorded.</em></p>";
  const td = (c: string, i: number) => {
    // A result is coloured by its own value.
    const cls = b.monospace?.includes(i) ? "id" : RESULTS.has(c) ? c : "";
    return `<td${cls ? ` class="${esc(cls)}"` : ""}>${esc(c)}</td>`;
  };
  const head =
    b.role === "facts"
      ? ""
      : `<thead><tr>${b.header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>\n`;
  const rows = b.rows.map((r) =>
    b.role === "facts" ? `<tr><th>${esc(r[0]!)}</th>${td(r[1]!, 1)}</tr>` : `<tr>${r.map(td).join("")}</tr>`,
  );
  return `<table${b.role ? ` class="${b.role}"` : ""}>\n${head}<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
}

function block(b: Block, e: Evidence): string {
  switch (b.kind) {
    case "text":
      return `<p>${esc(b.text)}</p>`;
    case "note":
      return `<p class="note">${esc(b.text)}</p>`;
    case "list":
      return b.items.length > 0
        ? `<ul>\n${b.items.map((i) => `<li>${esc(i)}</li>`).join("\n")}\n</ul>`
        : `<p><em>${esc(b.empty)}</em></p>`;
    case "timeline": {
      const svg = timelineSvg(e);
      return svg ? `<figure>\n${svg}\n</figure>` : "<p><em>Not started.</em></p>";
    }
    case "table":
      return table(b);
  }
}

export function renderHtml(e: Evidence): string {
  const body = reportSections(e)
    .map((s) =>
      [s.title ? `<h2>${esc(s.title)}</h2>` : "", ...s.blocks.map((b) => block(b, e))]
        .filter(Boolean)
        .join("\n"),
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(e.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(e.title)}</h1>
${body}
<footer>${esc(footer(e))}</footer>
</body>
</html>
`;
}
