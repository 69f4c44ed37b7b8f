// The operator's Azure side from its flags: default endpoints for plans without spec.cloud,
// and, for rehearsals against the ARM emulator at a time scale, the emulator's clock and
// throttling limits from its info file (and the SDKs' retry delays scaled to its clock). Its CA is trusted the standard Node way
// (NODE_EXTRA_CA_CERTS=<the info's caFile>), as any other private CA would be.
import { readFile } from "node:fs/promises";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { scaledRetry } from "../azure/connection.ts";
import type { PacingLimits } from "../azure/pacing-buckets.ts";
import type { ArmRequestObserver } from "../azure/request-observer.ts";
import type { Log } from "../controller/logger.ts";
import { AzureAccess } from "../reconcilers/azure-access.ts";
import { type Clock, type ClockAnchor, scaledClock, systemClock } from "../reconcilers/clock.ts";

/** The fields of `avd-dr sim --info-file` the operator and the CLI use. */
export interface EmulatorInfoFile {
  pacing?: PacingLimits | false;
  clock?: ClockAnchor;
}

/** Reads the file given to --emulator-info, naming the flag when it cannot. */
export async function readEmulatorInfo(path: string): Promise<EmulatorInfoFile> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as EmulatorInfoFile;
  } catch (error) {
    throw new Error(
      `--emulator-info ${path}: ${(error as Error).message}; pass the file that avd-dr sim --info-file wrote`,
    );
  }
}

/** The emulator's simulated clock from its info; the wall clock without one. */
export const clockOf = (info: EmulatorInfoFile): Clock =>
  info.clock ? scaledClock(info.clock) : systemClock;

export interface OperatorAzure {
  access: AzureAccess;
  clock: Clock;
}

export async function operatorAzure(options: {
  armEndpoint: string;
  authorityHost: string;
  emulatorInfo?: string;
  onRequest: ArmRequestObserver;
}): Promise<OperatorAzure> {
  const info = options.emulatorInfo ? await readEmulatorInfo(options.emulatorInfo) : {};
  return {
    access: new AzureAccess({
      armEndpoint: options.armEndpoint,
      authorityHost: options.authorityHost,
      onRequest: options.onRequest,
      ...(info.pacing !== undefined ? { pacing: info.pacing } : {}),
      ...(info.clock ? { retry: scaledRetry(info.clock.timeScale) } : {}),
    }),
    clock: clockOf(info),
  };
}

/**
 * The Azure region of the cluster the operator runs in: the flag, else the
 * topology.kubernetes.io/region label of its node (NODE_NAME, from the downward API).
 * Undefined when neither says; a plan then warns that it cannot tell.
 */
export async function clusterRegion(
  kc: KubeConfig,
  flag: string | undefined,
  log: Log,
): Promise<string | undefined> {
  if (flag) return flag;
  const nodeName = process.env.NODE_NAME;
  if (!nodeName) return undefined;
  try {
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: nodeName });
    return node.metadata?.labels?.["topology.kubernetes.io/region"];
  } catch (error) {
    log.warn({ node: nodeName, err: (error as Error).message }, "could not read this node's region label");
    return undefined;
  }
}
