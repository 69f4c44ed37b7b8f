// `avd-dr`'s entry: the operator's pod runs `avd-dr operator`, which must not load what the other
// commands bring (the emulator, the demo, the terminal UI); every other use lists every command.
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AVD_DR, runBin } from "./support.ts";

const RECORDER = join(import.meta.dirname, "..", "support", "record-modules.ts");
const OTHER_COMMANDS =
  /\/src\/sim\/|\/src\/cli\/(demo|live-view|status|report|watch|failover)|\/node_modules\/(@inquirer|log-update|cli-table3)\//;

async function modulesLoadedBy(args: string[]): Promise<{ modules: string[]; stdout: string }> {
  const file = join(tmpdir(), `avd-dr-modules-${process.pid}-${args.join("_")}.json`);
  const run = await runBin(AVD_DR, args, {
    NODE_OPTIONS: `--import ${RECORDER}`,
    RECORD_MODULES_TO: file,
  });
  expect(run.code).toBe(0);
  const modules = JSON.parse(await readFile(file, "utf8")) as string[];
  await rm(file);
  return { modules, stdout: run.stdout };
}

describe("avd-dr's entry", () => {
  it("runs the operator command without loading the emulator, the demo or the terminal UI", async () => {
    const { modules, stdout } = await modulesLoadedBy(["operator", "--help"]);
    expect(stdout).toMatch(/Usage: avd-dr operator/);
    expect(modules.some((m) => m.endsWith("/src/reconcilers/setup.ts"))).toBe(true);
    expect(modules.filter((m) => OTHER_COMMANDS.test(m))).toEqual([]);
  });

  it("lists every command otherwise", async () => {
    const { modules, stdout } = await modulesLoadedBy(["--help"]);
    for (const command of [
      "status",
      "failover",
      "watch",
      "report",
      "demo",
      "control-plane",
      "generate",
      "operator",
      "sim",
      "sim-topology",
    ])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(modules.filter((m) => OTHER_COMMANDS.test(m)).length).toBeGreaterThan(0);
  });
});
