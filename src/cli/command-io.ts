// What the on-call commands share: where they write (so tests can run them in-process), their
// exit codes, and the error that means "the command line is wrong" (exit 2, the flag named).
import type { Readable, Writable } from "node:stream";
import { styleText } from "node:util";

/** A stream that may be a terminal (process.stdout, or a test's stand-in). */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };
export type InStream = Readable & { isTTY?: boolean };

export interface Io {
  out: OutStream;
  err: Writable;
  input: InStream;
}

export const processIo = (): Io => ({ out: process.stdout, err: process.stderr, input: process.stdin });

export const EXIT = {
  /** Succeeded (or: created, shown). */
  ok: 0,
  /** The failover failed or was rejected, or the command was refused or not confirmed. */
  failed: 1,
  /** Bad input: a flag, an argument, a name that does not exist. Nothing was changed. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT), as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input; the message names the flag or argument and the fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The command was refused or stopped (exit 1), with the reason for a person. */
export class RefusedError extends Error {
  override name = "RefusedError";
}

/** Writes `text` in a colour (or style) when `stream` shows colours; NO_COLOR and FORCE_COLOR are honoured. */
export function paint(stream: Writable, format: Parameters<typeof styleText>[0], text: string): string {
  return styleText(format, text, { stream });
}

/**
 * Runs a command's body and turns what it throws into the exit code and a one-line message on
 * stderr: UsageError → 2, RefusedError → 1, anything else (the API server unreachable, …) → 1.
 */
export async function runCommand(name: string, io: Io, body: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err.write(`${name}: ${message}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

/**
 * A commander action for a command `body(io, ...arguments, flags)`: run on the process's streams,
 * its exit code set from what the body returns or throws. `name` prefixes its error messages.
 */
export function commandAction<A extends unknown[]>(
  name: string,
  body: (io: Io, ...args: A) => Promise<ExitCode>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const io = processIo();
    process.exitCode = await runCommand(name, io, () => body(io, ...args));
  };
}
