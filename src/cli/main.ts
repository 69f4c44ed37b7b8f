// The `avd-dr` command. Each subcommand lives in its own module and registers itself here.
import { Command } from "commander";
import { registerControlPlane } from "./control-plane.ts";
import { registerDemo } from "./demo.ts";
import { registerFailover } from "./failover.ts";
import { registerGenerate } from "./generate.ts";
import { registerOperator } from "./operator.ts";
import { runProgram, withUsageExitCodes } from "./program.ts";
import { registerReport } from "./report.ts";
import { registerSim } from "./sim.ts";
import { registerSimTopology } from "./sim-topology.ts";
import { registerStatus } from "./status.ts";
import { registerWatch } from "./watch.ts";

const program = withUsageExitCodes(
  new Command("avd-dr").description("Azure Virtual Desktop disaster-recovery operator and its tools"),
);

registerStatus(program);
registerFailover(program);
registerWatch(program);
registerReport(program);
registerDemo(program);
registerControlPlane(program);
registerGenerate(program);
registerOperator(program);
registerSim(program);
registerSimTopology(program);

await runProgram(program, process.argv);
