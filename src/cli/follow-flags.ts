// The flags of the commands that follow a running failover (watch, failover --wait): how often
// to look, and whose clock to read elapsed time on (the emulator's, in a rehearsal).
import type { Command } from "commander";
import { parseDuration } from "../api/index.ts";
import type { Clock } from "../reconcilers/clock.ts";
import { UsageError } from "./command-io.ts";
import { clockOf, readEmulatorInfo } from "./operator-azure.ts";

export interface FollowFlags {
  pollInterval: string;
  emulatorInfo?: string;
}

export interface FollowSettings {
  pollMs: number;
  clock: Clock;
}

export function addFollowFlags(command: Command): Command {
  return command
    .option("--poll-interval <duration>", "how often to look at the request", "1s")
    .option(
      "--emulator-info <file>",
      "in a rehearsal against avd-dr sim: its info file, to tell elapsed time on its simulated clock",
    );
}

export async function followSettings(flags: FollowFlags): Promise<FollowSettings> {
  let pollMs: number;
  try {
    pollMs = parseDuration(flags.pollInterval);
  } catch {
    throw new UsageError(
      `--poll-interval must be a duration such as 1s or 500ms, got "${flags.pollInterval}"`,
    );
  }
  if (pollMs < 100 || pollMs > 60_000)
    throw new UsageError(`--poll-interval must be between 100ms and 1m, got "${flags.pollInterval}"`);
  if (!flags.emulatorInfo) return { pollMs, clock: clockOf({}) };
  try {
    return { pollMs, clock: clockOf(await readEmulatorInfo(flags.emulatorInfo)) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
