// `avd-dr watch`: following a failover someone else started. Without a terminal (CI, a pipe) it
// prints one timestamped line per change; on a terminal it redraws a block with progress bars;
// the exit code says how the request ended.
import xterm from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { TERMINAL_PHASES } from "../../src/api/index.ts";
import { EXIT } from "../../src/cli/command-io.ts";
import { watch } from "../../src/cli/watch.ts";
import { requestFailover } from "../failover/support.ts";
import { until } from "../operator/fixtures.ts";
import { testKubeconfigPath } from "../support/kube.ts";
import { type Rehearsal, rehearsals } from "../support/rehearsal.ts";
import {
  AVD_DR,
  emulatorInfoFile,
  planHeldByAFailover,
  planReady,
  run,
  runBin,
  type TestIo,
  testIo,
} from "./support.ts";

const rehearse = rehearsals();

async function watchOf(r: Rehearsal, name: string, io: TestIo) {
  const flags = {
    kubeconfig: testKubeconfigPath(),
    namespace: r.namespace,
    pollInterval: "100ms",
    emulatorInfo: await emulatorInfoFile(r),
  };
  return run(io, () => watch(name, flags, io));
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;
const ERASE_LINE = "\u001b[2K";

interface ScreenLine {
  text: string;
  /** Continues the line above: the terminal wrapped a line wider than itself. */
  wrapped: boolean;
}

/** What a terminal `columns` wide shows after each of `writes`, written in turn: its lines in use. */
async function onATerminal(writes: readonly string[], columns: number): Promise<ScreenLine[][]> {
  // A line feed also returns the cursor to the start of the line, as a terminal's driver does;
  // reading the screen back is what the headless terminal calls proposed API.
  const terminal = new xterm.Terminal({ cols: columns, rows: 24, convertEol: true, allowProposedApi: true });
  const screens: ScreenLine[][] = [];
  for (const data of writes) {
    await new Promise<void>((written) => terminal.write(data, written));
    const buffer = terminal.buffer.active;
    const lines = Array.from({ length: buffer.length }, (_, y) => buffer.getLine(y)!).map((line) => ({
      text: line.translateToString(true),
      wrapped: line.isWrapped,
    }));
    while (lines.at(-1)?.text === "") lines.pop();
    screens.push(lines);
  }
  terminal.dispose();
  return screens;
}

describe("avd-dr watch", () => {
  it("without a terminal, prints a timestamped line at each change and how it ended (exit 0)", async () => {
    const r = await rehearse("StandbyHostPool", { spec: { drain: { gracePeriod: "90s" } } });
    await planReady(r);
    await requestFailover(r, "to-neu");
    const io = testIo();
    expect(await watchOf(r, "to-neu", io)).toBe(EXIT.ok);
    const done = await r.k.getRequest(r.namespace, "to-neu");

    const lines = io.out.text.trimEnd().split("\n");
    const progress = lines.slice(0, -1);
    for (const line of progress) expect(line).toMatch(TIMESTAMP);
    // Times are the emulator's clock, as the operator records them: they never go back.
    const times = progress.map((l) => Date.parse(l.slice(0, 20)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Each phase is seen, in the runbook's order; the last line of progress is the outcome.
    const phases = progress.map((l) => l.slice(21).split(" | ")[0]);
    const seen = [...new Set(phases)].filter((p) => p !== "Created" && p !== "Pending");
    expect(seen).toEqual(["Draining", "FailingOver", "Verifying", "Succeeded"]);
    expect(progress.at(-1)).toContain(
      `Succeeded | hosts drained 3/3, sessions notified 4/4, sessions logged off 4/4, items failed over 3/3, hosts verified 3/3 | elapsed `,
    );
    expect(lines.at(-1)).toBe(
      `✓ FailoverRequest ${r.namespace}/to-neu Succeeded (Planned, Primary → Secondary): RTO ${done.status?.rto}`,
    );
  });

  it("on a terminal, redraws one block in place with a bar per step, no line wider than the terminal", async () => {
    const r = await rehearse("SharedHostPool", { spec: { drain: { gracePeriod: "90s" } } });
    await planReady(r);
    await requestFailover(r, "to-neu");
    const io = testIo({ terminal: 72 });
    expect(await watchOf(r, "to-neu", io)).toBe(EXIT.ok);
    // One write a frame, then the outcome. Each frame after the first erases lines of the last.
    const frames = io.out.writes.slice(0, -1);
    expect(frames.length).toBeGreaterThan(1);
    for (const redraw of frames.slice(1)) expect(redraw).toContain(ERASE_LINE);

    const screens = await onATerminal(io.out.writes, 72);
    for (const screen of screens.slice(0, -1)) {
      // The block is there once: each frame took the place of the last.
      expect(screen.filter((l) => l.text.startsWith("FailoverRequest ")).length).toBe(1);
      for (const line of screen) {
        expect(line.wrapped).toBe(false);
        expect(line.text.length).toBeLessThanOrEqual(71);
      }
    }
    // A message too long for the terminal was cut, not wrapped.
    expect(
      screens.some((screen) => screen.some((l) => l.text.startsWith("│ ") && l.text.endsWith("…"))),
    ).toBe(true);
    // The last frame stays on the screen, the outcome below it.
    const last = screens.at(-1)!.map((l) => l.text);
    expect(last[0]).toMatch(new RegExp(`^FailoverRequest ${r.namespace}/to-neu  Planned  Primary → Sec`));
    expect(last[1]).toMatch(/^Phase {4}Succeeded {3}Draining ✓ {2}FailingOver ✓ {2}Verifying ✓$/);
    expect(last.join("\n")).toMatch(/Sessions notified\s+\[█+\] 3\/3/);
    expect(last.join("\n")).toMatch(/Hosts verified\s+\[█+\] 2\/2 \(2 required\)/);
    expect(last.filter((l) => l.startsWith("FailoverRequest ")).length).toBe(1);
    expect(last.some((l) => l.startsWith(`✓ FailoverRequest ${r.namespace}/to-neu Succeeded`))).toBe(true);
  });

  it("ends with exit 1 and the reason when the request is rejected", async () => {
    const r = await planHeldByAFailover(rehearse);
    await requestFailover(r, "second");
    const io = testIo();
    expect(await watchOf(r, "second", io)).toBe(EXIT.failed);
    const rejected = await finishedOrRejected(r, "second");
    expect(io.out.text.trimEnd().split("\n").at(-1)).toBe(
      `✗ FailoverRequest ${r.namespace}/second Rejected: ${rejected.status?.message}`,
    );
    expect(rejected.status?.message).toContain("already has an active failover, FailoverRequest first");
  });

  it("names a request that does not exist (exit 2)", async () => {
    const r = await rehearse("StandbyHostPool", { operator: false });
    const result = await runBin(AVD_DR, ["watch", "to-nowhere", "-n", r.namespace], {
      KUBECONFIG: testKubeconfigPath(),
    });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe(
      `avd-dr watch: no FailoverRequest to-nowhere in namespace ${r.namespace}: \`kubectl get failoverrequests -n ${r.namespace}\` lists them\n`,
    );
  });
});

function finishedOrRejected(r: Rehearsal, name: string) {
  return until(`${name} ended`, async () => {
    const got = await r.k.getRequest(r.namespace, name);
    return got.status?.phase && TERMINAL_PHASES.includes(got.status.phase) ? got : undefined;
  });
}
