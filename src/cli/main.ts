// The `avd-dr` command. Each subcommand lives in its own module and registers itself here.
import { Command } from "commander";
import { registerControlPlane } from "./control-plane.ts";
import { registerGenerate } from "./generate.ts";

const program = new Command("avd-dr")
  .description("Azure Virtual Desktop disaster-recovery operator and its tools")
  .showHelpAfterError();

registerControlPlane(program);
registerGenerate(program);

await program.parseAsync(process.argv);
