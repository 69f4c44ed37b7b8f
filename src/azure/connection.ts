// How the operator reaches Azure: which cloud (public, sovereign, or the emulator), which
// subscription, which credential. Credentials are the DefaultAzureCredential chain
// (workload identity on AKS) unless the caller passes a client secret it read from a
// Kubernetes Secret; this module takes values, never a Kubernetes client.
import { Agent } from "node:https";
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import type { PacingLimits } from "./pacing-buckets.ts";
import type { ArmRequestObserver } from "./request-observer.ts";

export interface CloudEndpoints {
  resourceManager: string;
  authorityHost: string;
  /** The token scope ARM expects; the emulator accepts the public cloud's. */
  resourceManagerScope: string;
}

export const clouds = {
  AzurePublicCloud: {
    resourceManager: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    resourceManagerScope: "https://management.azure.com/.default",
  },
  AzureUSGovernment: {
    resourceManager: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    resourceManagerScope: "https://management.usgovcloudapi.net/.default",
  },
  AzureChinaCloud: {
    resourceManager: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    resourceManagerScope: "https://management.chinacloudapi.cn/.default",
  },
} as const satisfies Record<string, CloudEndpoints>;

export type CredentialSource =
  | { kind: "default"; tenantId?: string; clientId?: string }
  | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string };

export interface AzureConnection {
  subscriptionId: string;
  endpoints: CloudEndpoints;
  credential: CredentialSource;
  /** Extra CA certificate (PEM) to trust, e.g. the emulator's; the system CAs otherwise. */
  caPem?: string;
  /** Identity instance discovery only works against Entra ID itself; off for the emulator. */
  disableInstanceDiscovery?: boolean;
  /** Poll interval for long-running operations when the service gives no Retry-After. */
  pollIntervalMs?: number;
  /**
   * The limits the gateways pace themselves by (ARM's buckets, Compute's policies): Azure's own
   * by default, the emulator's from its info; false for no pacing at all.
   */
  pacing?: PacingLimits | false;
  /** The SDKs' retry of failed calls (5xx, network); their defaults when unset. */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** Told of every ARM request attempt, by kind and result (the operator's metrics). */
  onRequest?: ArmRequestObserver;
}

/**
 * The SDKs' retry delays (1 s doubling to 64 s by default) on a clock that runs `timeScale`
 * real ms per ms, so that a retry against the emulator waits what it would against Azure.
 */
export function scaledRetry(timeScale: number): NonNullable<AzureConnection["retry"]> {
  return {
    retryDelayInMs: Math.max(1, Math.round(1000 * timeScale)),
    maxRetryDelayInMs: Math.max(10, Math.round(64_000 * timeScale)),
  };
}

/** The fields of the emulator's info file that a client needs. */
export interface EmulatorInfo {
  armEndpoint: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  /** The emulator's limits in real time; the gateways pace themselves by them. */
  pacing?: PacingLimits;
}

/** A connection to `avd-dr sim` with its client secret, trusting its CA. */
export function emulatorConnection(
  info: EmulatorInfo,
  caPem: string,
  pollIntervalMs?: number,
): AzureConnection {
  return {
    subscriptionId: info.subscriptionId,
    endpoints: {
      resourceManager: info.armEndpoint,
      authorityHost: info.authorityHost,
      resourceManagerScope: clouds.AzurePublicCloud.resourceManagerScope,
    },
    credential: {
      kind: "clientSecret",
      tenantId: info.tenantId,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
    },
    caPem,
    disableInstanceDiscovery: true,
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    ...(info.pacing !== undefined ? { pacing: info.pacing } : {}),
  };
}

/** Options every SDK client and credential of one connection shares (transport, TLS trust). */
export function transportOptions(connection: AzureConnection): { agent?: Agent } {
  return connection.caPem ? { agent: new Agent({ ca: connection.caPem, keepAlive: true }) } : {};
}

export function createCredential(
  connection: AzureConnection,
  transport = transportOptions(connection),
): TokenCredential {
  const common = {
    authorityHost: connection.endpoints.authorityHost,
    ...(connection.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
    ...transport,
  };
  const source = connection.credential;
  if (source.kind === "clientSecret") {
    return new ClientSecretCredential(source.tenantId, source.clientId, source.clientSecret, common);
  }
  return new DefaultAzureCredential({
    ...common,
    ...(source.tenantId ? { tenantId: source.tenantId } : {}),
    ...(source.clientId
      ? { managedIdentityClientId: source.clientId, workloadIdentityClientId: source.clientId }
      : {}),
  });
}
