// The `avd-dr` command. Each subcommand lives in its own module and registers itself here.
import { Command } from "commander";
import { registerControlPlane } from "./control-plane.ts";
import { registerGenerate } from "./generate.ts";
import { registerOperator } from "./operator.ts";
import { registerSim } from "./sim.ts";
import { registerSimTopology } from "./sim-topology.ts";

const program = new Command("avd-dr")
  .description("Azure Virtual Desktop disaster-recovery operator and its tools")
  .showHelpAfterError();

registerControlPlane(program);
registerGenerate(program);
registerOperator(program);
registerSim(program);
registerSimTopology(program);

await program.parseAsync(process.argv);
