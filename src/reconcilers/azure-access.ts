// The Azure gateways of a plan: which endpoint (spec.cloud, else the operator's flags), which
// subscription and which principal (the plan's Secret, else the operator's workload identity).
// Gateways hold a credential with its token cache, connections and a pacer, so plans that share
// endpoint, subscription and principal share one set; a changed secret builds a new set.
import { createHash } from "node:crypto";
import type { AvdDisasterRecoveryPlan } from "../api/index.ts";
import {
  type AzureConnection,
  type CloudEndpoints,
  type CredentialSource,
  clouds,
} from "../azure/connection.ts";
import { type AzureGateways, createAzureGateways } from "../azure/index.ts";
import type { PacingLimits } from "../azure/pacing-buckets.ts";
import type { ArmRequestObserver } from "../azure/request-observer.ts";
import type { AzureCredentials } from "./plan-validation.ts";

export interface AzureAccessOptions {
  /** The operator's defaults, for plans without spec.cloud. */
  armEndpoint: string;
  authorityHost: string;
  /** A CA to trust besides the system's (the emulator's); NODE_EXTRA_CA_CERTS works too. */
  caPem?: string;
  /** The limits to pace by (ARM's buckets, Compute's policies); Azure's own by default, false for none. */
  pacing?: PacingLimits | false;
  /** The SDKs' retry of failed calls; their defaults when unset. */
  retry?: AzureConnection["retry"];
  /** Told of every ARM request (the operator's metrics). */
  onRequest?: ArmRequestObserver;
  /** Builds the gateways of a connection (tests hand in fakes). */
  createGateways?: (connection: AzureConnection) => AzureGateways;
}

interface Entry {
  /** Fingerprint of the secret the gateways were built with. */
  secret: string;
  gateways: AzureGateways;
}

export class AzureAccess {
  readonly #options: AzureAccessOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: AzureAccessOptions) {
    this.#options = options;
  }

  /** The gateways for a plan and the credentials read from its Secret (none: workload identity). */
  gatewaysFor(plan: AvdDisasterRecoveryPlan, credentials: AzureCredentials | undefined): AzureGateways {
    const endpoints = this.#endpoints(plan);
    const principal = credentials ? `${credentials.tenantId}/${credentials.clientId}` : "workload-identity";
    const key = `${endpoints.resourceManager}|${plan.spec.subscriptionId}|${principal}`.toLowerCase();
    const secret = credentials ? fingerprint(credentials.clientSecret) : "";
    const known = this.#entries.get(key);
    if (known && known.secret === secret) return known.gateways;
    const credential: CredentialSource = credentials
      ? { kind: "clientSecret", ...credentials }
      : { kind: "default" };
    const o = this.#options;
    const connection: AzureConnection = {
      subscriptionId: plan.spec.subscriptionId,
      endpoints,
      credential,
      ...(o.caPem ? { caPem: o.caPem } : {}),
      // Instance discovery asks Entra ID's public metadata endpoint: only for the real clouds.
      ...(isKnownCloud(endpoints) ? {} : { disableInstanceDiscovery: true }),
      ...(o.pacing !== undefined ? { pacing: o.pacing } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.onRequest ? { onRequest: o.onRequest } : {}),
    };
    const gateways = (o.createGateways ?? createAzureGateways)(connection);
    this.#entries.set(key, { secret, gateways });
    return gateways;
  }

  #endpoints(plan: AvdDisasterRecoveryPlan): CloudEndpoints {
    const resourceManager = trimSlash(plan.spec.cloud?.armEndpoint ?? this.#options.armEndpoint);
    const authorityHost = trimSlash(plan.spec.cloud?.authorityHost ?? this.#options.authorityHost);
    const cloud = Object.values(clouds).find((c) => c.resourceManager === resourceManager);
    // An endpoint the operator does not know (the emulator, a proxy) fronts the public cloud's ARM.
    const resourceManagerScope = (cloud ?? clouds.AzurePublicCloud).resourceManagerScope;
    return { resourceManager, authorityHost, resourceManagerScope };
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

const isKnownCloud = (endpoints: CloudEndpoints) =>
  Object.values(clouds).some((c) => c.authorityHost === endpoints.authorityHost);

const fingerprint = (secret: string) => createHash("sha256").update(secret).digest("hex");
