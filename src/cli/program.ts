// Running a commander program the way the on-call commands promise: a usage error (an unknown
// flag, a missing argument or option) exits 2, help exits 0, and each command's own action sets
// the exit code of what it did.
import { type Command, CommanderError } from "commander";
import { EXIT } from "./command-io.ts";

/** Call before registering subcommands: they inherit the exit handling. */
export function withUsageExitCodes(program: Command): Command {
  return program.showHelpAfterError().exitOverride();
}

export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander has already printed the message (or the help).
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
}
