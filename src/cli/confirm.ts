// Asking a person before a failover. Only a terminal can answer: a script, a pipe or CI passes
// --yes instead, so that nothing piped in by accident starts a failover. An Unplanned failover
// loses data, so it takes the word itself typed, not a "y". The prompts are @inquirer/prompts'.
import { Writable } from "node:stream";
import { confirm as askYesNo, input } from "@inquirer/prompts";
import type { FailoverType } from "../api/index.ts";
import { type Io, type OutStream, UsageError } from "./command-io.ts";

/** What must be typed to go ahead with a failover of `type`: the word itself for Unplanned, else y or yes. */
export const confirmationWord = (type: FailoverType): string | undefined =>
  type === "Unplanned" ? "Unplanned" : undefined;

/** Refuses at once (before anything is created) when nobody can answer the question. */
export function ensureCanConfirm(io: Io, type: FailoverType): void {
  if (!io.input.isTTY)
    throw new UsageError(
      `confirmation needed but standard input is not a terminal: pass --yes to go ahead${confirmationWord(type) ? " (for Unplanned, --yes acknowledges the data loss)" : ""}`,
    );
}

/**
 * `out` as inquirer's output. Inquirer pipes its output into the stream it is given and ends it
 * with the prompt; only process.stdout survives that, so it gets a stream of its own that passes
 * everything on to `out` and, when ended, leaves `out` open.
 */
function promptOutput(out: OutStream): OutStream {
  const passOn = new Writable({ write: (chunk, encoding, done) => out.write(chunk, encoding, done) });
  return Object.defineProperties(passOn, {
    isTTY: { get: () => out.isTTY },
    columns: { get: () => out.columns },
  });
}

/** Asks on the terminal; true only for the expected answer. Ctrl-C at the prompt is a no. */
export async function confirm(io: Io, type: FailoverType): Promise<boolean> {
  ensureCanConfirm(io, type);
  const word = confirmationWord(type);
  const context = { input: io.input, output: promptOutput(io.out) };
  try {
    if (!word) return await askYesNo({ message: "Fail over now?", default: false }, context);
    const answer = await input({ message: `Type ${word} to fail over, anything else to stop:` }, context);
    return answer.trim() === word;
  } catch (error) {
    if ((error as Error).name === "ExitPromptError") return false;
    throw error;
  }
}
