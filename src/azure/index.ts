// One place that wires a connection into the gateways the reconcilers use.
import type { AdditionalPolicyConfig } from "@azure/core-client";
import { ComputeAdapter } from "./compute.ts";
import { type AzureConnection, createCredential, transportOptions } from "./connection.ts";
import { DesktopVirtualizationAdapter } from "./desktop-virtualization.ts";
import type { ComputeGateway, DesktopVirtualizationGateway, SiteRecoveryGateway } from "./gateways.ts";
import { pacingPolicies } from "./pacing.ts";
import { requestObserverPolicy } from "./request-observer.ts";
import { SiteRecoveryAdapter } from "./site-recovery.ts";

export interface AzureGateways {
  desktopVirtualization: DesktopVirtualizationGateway;
  compute: ComputeGateway;
  siteRecovery: SiteRecoveryGateway;
}

/**
 * Gateways for one subscription, sharing one credential (one token cache), one transport and
 * one pacer (ARM's token buckets for the subscription).
 */
export function createAzureGateways(connection: AzureConnection): AzureGateways {
  const transport = transportOptions(connection);
  const credential = createCredential(connection, transport);
  const observer: AdditionalPolicyConfig[] = connection.onRequest
    ? [
        {
          policy: requestObserverPolicy(connection.onRequest, connection.endpoints.resourceManager),
          position: "perRetry",
        },
      ]
    : [];
  const clients = {
    ...transport,
    endpoint: connection.endpoints.resourceManager,
    additionalPolicies: [...pacingPolicies(connection), ...observer],
    ...(connection.retry ? { retryOptions: connection.retry } : {}),
  };
  const scopes = [connection.endpoints.resourceManagerScope];
  // The AutoRest HLC clients take the token scopes as credentialScopes, the modular compute client as credentials.scopes.
  const hlc = { ...clients, credentialScopes: scopes };
  return {
    desktopVirtualization: new DesktopVirtualizationAdapter(connection, credential, hlc),
    compute: new ComputeAdapter(connection, credential, { ...clients, credentials: { scopes } }),
    siteRecovery: new SiteRecoveryAdapter(connection, credential, hlc),
  };
}
