// `avd-dr report FAILOVER [--format md|html] [-o FILE]`: the evidence of a failover or drill
// for an auditor, from its FailoverRequest and plan, as Markdown or a self-contained HTML page.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { avddrClient } from "./avddr-client.ts";
import { commandAction, EXIT, type ExitCode, type Io, UsageError } from "./command-io.ts";
import { addKubeFlags, type KubeFlags, kubeTarget } from "./kube-flags.ts";
import { gatherEvidence } from "./report-evidence.ts";
import { renderHtml } from "./report-html.ts";
import { renderMarkdown } from "./report-markdown.ts";

export interface ReportFlags extends KubeFlags {
  format?: string;
  output?: string;
}

const RENDERERS = { md: renderMarkdown, html: renderHtml } as const;
type Format = keyof typeof RENDERERS;

/** --format, else what -o's extension says, else Markdown. */
function formatOf(flags: ReportFlags): Format {
  const format = flags.format ?? (/\.html?$/i.test(flags.output ?? "") ? "html" : "md");
  if (!(format in RENDERERS)) throw new UsageError(`--format must be md or html, got "${flags.format}"`);
  return format as Format;
}

export async function report(name: string, flags: ReportFlags, io: Io): Promise<ExitCode> {
  const format = formatOf(flags);
  const { kc, namespace } = kubeTarget(flags);
  const client = avddrClient(kc);
  const request = await client.getRequest(namespace, name);
  if (!request)
    throw new UsageError(
      `no FailoverRequest ${name} in namespace ${namespace}: \`kubectl get failoverrequests -n ${namespace}\` lists them`,
    );
  const plan = await client.getPlan(namespace, request.spec.planRef.name);
  const text = RENDERERS[format](gatherEvidence(request, plan));
  if (!flags.output) {
    io.out.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(flags.output, text);
  } catch (error) {
    throw new UsageError(`-o ${flags.output}: ${(error as Error).message}`);
  }
  io.err.write(`wrote ${flags.output}\n`);
  return EXIT.ok;
}

export function registerReport(program: Command): void {
  const command = program
    .command("report")
    .description(
      "the evidence of a failover or drill for an auditor: timeline, RTO, RPO, users, Azure actions, errors",
    )
    .argument("<failover>", "FailoverRequest name")
    .option("--format <format>", "md or html (default: from -o's extension, else md)")
    .option("-o, --output <file>", "write the report here instead of to standard output");
  addKubeFlags(command).action(
    commandAction(`${program.name()} report`, (io, name: string, flags: ReportFlags) =>
      report(name, flags, io),
    ),
  );
}
