// `avd-dr report`: the evidence of a failover an auditor reads, from a real run against the
// emulator: the timeline, the RTO, what happened to each user with its times, every Azure
// action, as Markdown and as a self-contained HTML page with an SVG timeline.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drainHistory, type FailoverRequest, metav1Time, parseSessionKey } from "../../src/api/index.ts";
import { EXIT } from "../../src/cli/command-io.ts";
import { report } from "../../src/cli/report.ts";
import { expectSucceeded, finished, requestFailover } from "../failover/support.ts";
import { testKubeconfigPath } from "../support/kube.ts";
import { type Rehearsal, rehearsals } from "../support/rehearsal.ts";
import { findAll, parseHtml } from "./html.ts";
import { emulatorInfoFile, planReady, run, testIo } from "./support.ts";

const rehearse = rehearsals();

/** Each session of the run with when it was notified and logged off, from the request's status. */
function sessionsOf(request: FailoverRequest) {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : metav1Time(new Date(ms)));
  return drainHistory(request.status?.drain).map((h) => ({
    ...parseSessionKey(h.key),
    notifiedAt: at(h.notifiedAt)!,
    loggedOffAt: at(h.loggedOffAt)!,
  }));
}

/** A planned failover "to-neu" that has run to its end. */
async function failedOver(): Promise<{ r: Rehearsal; done: FailoverRequest }> {
  const r = await rehearse("StandbyHostPool", { spec: { drain: { gracePeriod: "90s" } } });
  await planReady(r);
  await requestFailover(r, "to-neu");
  const done = await finished(r, "to-neu");
  expectSucceeded(done);
  return { r, done };
}

async function render(r: Rehearsal, flags: { format?: string; output?: string }) {
  const io = testIo();
  const code = await run(io, () =>
    report("to-neu", { kubeconfig: testKubeconfigPath(), namespace: r.namespace, ...flags }, io),
  );
  return { code, io };
}

describe("avd-dr report", () => {
  it("as Markdown: facts, timeline, each user's notice and log-off, each Azure action", async () => {
    const { r, done } = await failedOver();
    const { code, io } = await render(r, {});
    expect(code).toBe(EXIT.ok);
    const md = io.out.text;
    const s = done.status!;
    expect(md.startsWith(`# Failover report: ${r.namespace}/to-neu\n`)).toBe(true);
    expect(md).toContain(`| RTO (achieved) | ${s.rto} |`);
    expect(md).toContain("| Result | Succeeded |");
    for (const p of s.phases ?? [])
      expect(md).toMatch(new RegExp(`\\| ${p.phase} \\| ${p.startTime} \\| ${p.completionTime} \\| `));
    const sessions = sessionsOf(done);
    expect(sessions.length).toBe(s.counters?.sessionsNotified);
    for (const x of sessions)
      expect(md).toMatch(
        new RegExp(
          `\\| ${x.user} \\| ${x.host} \\| [^|]+ \\| ${x.notifiedAt} \\| ${x.loggedOffAt} \\| - \\| logged off \\|`,
        ),
      );
    for (const op of s.operations ?? [])
      expect(md).toContain(`| ${op.step} | ${op.kind} | ${op.target!.split("/").at(-1)} | ${op.startedAt} |`);
    expect(md).toContain("## Errors\n\n_None._");
  });

  it("as HTML: a well-formed page with an inline SVG timeline, the users table, and nothing fetched", async () => {
    const { r, done } = await failedOver();
    const out = join(await emulatorInfoFile(r), "..", "to-neu.html");
    const { code, io } = await render(r, { output: out });
    expect(code).toBe(EXIT.ok);
    expect(io.err.text).toBe(`wrote ${out}\n`);
    const html = await readFile(out, "utf8");
    const doc = parseHtml(html);

    const [svg] = findAll(doc, (e) => e.name === "svg");
    expect(svg?.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    const bars = findAll(svg!, (e) => e.name === "rect" && e.attrs.class === "phase");
    expect(bars.map((b) => b.attrs["data-phase"])).toEqual(done.status!.phases!.map((p) => p.phase));
    for (const bar of bars) expect(Number(bar.attrs.width)).toBeGreaterThan(0);
    const marks = findAll(svg!, (e) => e.name === "g" && e.attrs.class === "marks").map(
      (g) => g.attrs["data-kind"],
    );
    expect(marks).toEqual(expect.arrayContaining(["notice", "logOff", "action"]));
    expect(svg!.text).toContain(`verified: RTO ${done.status!.rto}`);

    const [table] = findAll(doc, (e) => e.name === "table" && e.attrs.class === "sessions");
    const rows = findAll(table!, (e) => e.name === "tr")
      .slice(1)
      .map((tr) => findAll(tr, (e) => e.name === "td").map((td) => td.text));
    const expected = sessionsOf(done).map((x) => [x.user, x.host, x.notifiedAt, x.loggedOffAt]);
    expect(rows.map((c) => [c[0], c[1], c[3], c[4]]).sort()).toEqual(expected.sort());

    // Self-contained: no script, no stylesheet or image from anywhere, no link out.
    const fetching = findAll(
      doc,
      (e) => ["script", "link", "img", "iframe"].includes(e.name) || "src" in e.attrs || "href" in e.attrs,
    );
    expect(fetching).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/);
  });

  it("refuses an unknown format (exit 2) before reading anything", async () => {
    const io = testIo();
    const code = await run(io, () =>
      report("to-neu", { kubeconfig: testKubeconfigPath(), namespace: "default", format: "pdf" }, io),
    );
    expect(code).toBe(EXIT.usage);
    expect(io.err.text).toBe('avd-dr: --format must be md or html, got "pdf"\n');
  });
});
