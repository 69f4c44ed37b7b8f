// Asking a person before a failover. Only a terminal can answer: a script, a pipe or CI passes
// --yes instead, so that nothing piped in by accident starts a failover. An Unplanned failover
// loses data, so it takes the word itself typed, not a "y".
import { createInterface } from "node:readline/promises";
import type { FailoverType } from "../api/index.ts";
import { type Io, UsageError } from "./command-io.ts";

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

/** Asks on the terminal; true only for the expected answer. */
export async function confirm(io: Io, type: FailoverType): Promise<boolean> {
  ensureCanConfirm(io, type);
  const word = confirmationWord(type);
  const rl = createInterface({ input: io.input, output: io.out });
  const interrupted = new AbortController();
  // Ctrl-C at the prompt is a no.
  rl.once("SIGINT", () => interrupted.abort());
  try {
    const question = word ? `Type ${word} to fail over, anything else to stop: ` : "Fail over now? [y/N] ";
    const answer = (await rl.question(question, { signal: interrupted.signal })).trim();
    return word ? answer === word : /^y(es)?$/i.test(answer);
  } catch (error) {
    if ((error as Error).name === "AbortError") return false;
    throw error;
  } finally {
    rl.close();
  }
}
