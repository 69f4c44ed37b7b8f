// `avd-dr sim --topology FILE [--port N] [--info-file F] [--time-scale X]`: the ARM
// emulator in the foreground. Once it listens it writes the info file (endpoints, CA file,
// tenant, client credentials, subscription) that clients use to reach and trust it.
import { rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { startSim } from "../sim/server.ts";

interface SimFlags {
  topology: string;
  port: string;
  host: string;
  infoFile?: string;
  timeScale: string;
}

export function registerSim(program: Command): void {
  program
    .command("sim")
    .description(
      "run the ARM emulator (Entra ID, Compute, Desktop Virtualization, Site Recovery; throttling, faults) over HTTPS with its own CA",
    )
    .requiredOption("--topology <file>", "topology YAML, e.g. config/sim/site-recovery.yaml")
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option(
      "--info-file <file>",
      "where to write the connection info JSON (the CA goes beside it as sim-ca.pem)",
    )
    .option("--time-scale <x>", "real seconds per simulated second (0.01 runs a hundred times faster)", "1")
    .action(async (flags: SimFlags) => {
      try {
        const port = Number(flags.port);
        const timeScale = Number(flags.timeScale);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port: "${flags.port}" is not a port number`);
        if (!(timeScale > 0)) throw new Error(`--time-scale: "${flags.timeScale}" must be a number above 0`);
        const sim = await startSim({
          topology: flags.topology,
          port,
          host: flags.host,
          timeScale,
          ...(flags.infoFile ? { caFile: join(dirname(flags.infoFile), "sim-ca.pem") } : {}),
        });
        const info = `${JSON.stringify(sim.info, null, 2)}\n`;
        if (flags.infoFile) {
          // Written whole then renamed, so that a client waiting for the file never reads half of it.
          await writeFile(`${flags.infoFile}.tmp`, info);
          await rename(`${flags.infoFile}.tmp`, flags.infoFile);
        }
        process.stdout.write(info);
        process.stderr.write(`avd-dr sim: listening on ${sim.info.armEndpoint} (time scale ${timeScale})\n`);
        const stop = () => void sim.close().then(() => process.exit(0));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      } catch (err) {
        process.stderr.write(`avd-dr sim: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
