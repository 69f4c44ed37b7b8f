// The operator's Azure side for a running emulator in this process: its endpoints and CA, its
// ARM throttling limits, and the SDKs' retry delays scaled to its clock.
import { scaledRetry } from "../../src/azure/connection.ts";
import { AzureAccess } from "../../src/reconcilers/azure-access.ts";
import type { RunningSim } from "../../src/sim/server.ts";

export function emulatorAccess(sim: RunningSim): AzureAccess {
  return new AzureAccess({
    armEndpoint: sim.info.armEndpoint,
    authorityHost: sim.info.authorityHost,
    caPem: sim.caPem,
    pacing: sim.info.pacing,
    retry: scaledRetry(sim.info.clock.timeScale),
  });
}
