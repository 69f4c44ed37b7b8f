// The evidence as Markdown: readable as plain text, rendered by any Git host or wiki. The
// timeline chart has no Markdown form; its table of phases stands in for it.
import type { Evidence } from "./report-evidence.ts";
import { type Block, footer, reportSections } from "./report-sections.ts";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function block(b: Block): string {
  switch (b.kind) {
    case "text":
      return `${b.text}\n`;
    case "note":
      return `> ${b.text}\n`;
    case "list":
      return b.items.length > 0 ? `${b.items.map((i) => `- ${cell(i)}`).join("\n")}\n` : `_${b.empty}_\n`;
    case "timeline":
      return "";
    case "table":
      if (b.rows.length === 0) return "_None recorded._\n";
      return `${[
        `| ${b.header.join(" | ")} |`,
        `| ${b.header.map(() => "---").join(" | ")} |`,
        ...b.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
      ].join("\n")}\n`;
  }
}

export function renderMarkdown(e: Evidence): string {
  const sections = reportSections(e).map((s) =>
    [s.title ? `## ${s.title}\n` : "", ...s.blocks.map(block)].filter(Boolean).join("\n"),
  );
  return `# ${e.title}\n\n${sections.join("\n")}\n_${footer(e)}_\n`;
}
