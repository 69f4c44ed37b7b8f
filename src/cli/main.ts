// The `avd-dr` command. Each subcommand lives in its own module and registers itself here.
import { Command } from "commander";
import { runProgram, withUsageExitCodes } from "./program.ts";

type Register = (program: Command) => void;

/** In the order `avd-dr --help` lists them. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  status: async () => (await import("./status.ts")).registerStatus,
  failover: async () => (await import("./failover.ts")).registerFailover,
  watch: async () => (await import("./watch.ts")).registerWatch,
  report: async () => (await import("./report.ts")).registerReport,
  demo: async () => (await import("./demo.ts")).registerDemo,
  "control-plane": async () => (await import("./control-plane.ts")).registerControlPlane,
  generate: async () => (await import("./generate.ts")).registerGenerate,
  operator: async () => (await import("./operator.ts")).registerOperator,
  sim: async () => (await import("./sim.ts")).registerSim,
  "sim-topology": async () => (await import("./sim-topology.ts")).registerSimTopology,
};

const program = withUsageExitCodes(
  new Command("avd-dr").description("Azure Virtual Desktop disaster-recovery operator and its tools"),
);

// The operator's pod runs `avd-dr operator` only: it loads that command alone, without the
// emulator, the demo and the terminal UI of the others (about 13 MiB resident, and a faster start).
const named = process.argv[2];
const load = named === "operator" ? [COMMANDS.operator!] : Object.values(COMMANDS);
for (const register of await Promise.all(load.map((l) => l()))) register(program);

await runProgram(program, process.argv);
