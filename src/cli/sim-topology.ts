// `avd-dr sim-topology --host-pools N --hosts M --sessions K [--strategy S] [--personal-pools P] [--out FILE]`:
// writes a large emulator topology (YAML) for benchmarks and rehearsals.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { stringify } from "yaml";
import { generateTopology, type Strategy, strategies } from "../sim/generate-topology.ts";

interface Flags {
  hostPools: string;
  hosts: string;
  sessions: string;
  strategy: string;
  personalPools: string;
  out?: string;
}

export function registerSimTopology(program: Command): void {
  program
    .command("sim-topology")
    .description("generate a large topology for `avd-dr sim` (e.g. 10 host pools × 100 hosts × 5 users)")
    .option("--host-pools <n>", "host pools", "10")
    .option("--hosts <n>", "session hosts per pool", "100")
    .option("--sessions <n>", "users in session per host (personal pools: at most 1)", "5")
    .option("--strategy <s>", `what the recovery region holds: ${strategies.join(", ")}`, "SiteRecovery")
    .option("--personal-pools <n>", "how many of the pools are personal", "0")
    .option("--out <file>", "write the YAML here instead of to standard output")
    .action(async (flags: Flags) => {
      try {
        const number = (flag: string, value: string) => {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${value}" is not a whole number`);
          return n;
        };
        const topology = generateTopology({
          hostPools: number("--host-pools", flags.hostPools),
          hostsPerPool: number("--hosts", flags.hosts),
          sessionsPerHost: number("--sessions", flags.sessions),
          personalPools: number("--personal-pools", flags.personalPools),
          strategy: flags.strategy as Strategy,
        });
        const yaml = stringify(topology);
        if (flags.out) await writeFile(flags.out, yaml);
        else process.stdout.write(yaml);
      } catch (err) {
        process.stderr.write(`avd-dr sim-topology: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
