// `avd-dr watch`: following a failover someone else started. Without a terminal (CI, a pipe) it
// prints one timestamped line per change; on a terminal it redraws a block with progress bars;
// the exit code says how the request ended.
import { stripVTControlCharacters as plain } from "node:util";
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
    const text = io.out.text;
    // The cursor goes back up over the last frame, which is erased below it.
    const ESC = "\u001b[";
    expect(text.split(ESC).filter((code) => /^\d+A/.test(code)).length).toBeGreaterThan(1);
    expect(text).toContain(`${ESC}0J`);
    // Every line of the frames (not the outcome printed after the last one) fits the width.
    const frames = plain(text).trimEnd().split("\n").slice(0, -1);
    for (const line of frames) expect(line.length).toBeLessThanOrEqual(71);
    const lastFrame = frames.slice(frames.lastIndexOf(frames.find((l) => l.startsWith("FailoverRequest "))!));
    expect(lastFrame.join("\n")).toMatch(/Sessions notified\s+\[█+\] 3\/3/);
    expect(lastFrame.join("\n")).toMatch(/Hosts verified\s+\[█+\] 2\/2 \(2 required\)/);
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
