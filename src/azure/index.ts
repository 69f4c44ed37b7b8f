// One place that wires a connection into the gateways the reconcilers use.
import { ComputeAdapter } from "./compute.ts";
import { type AzureConnection, createCredential, transportOptions } from "./connection.ts";
import { DesktopVirtualizationAdapter } from "./desktop-virtualization.ts";
import type { ComputeGateway, DesktopVirtualizationGateway } from "./gateways.ts";

export interface AzureGateways {
  desktopVirtualization: DesktopVirtualizationGateway;
  compute: ComputeGateway;
}

/** Gateways for one subscription, sharing one credential (one token cache) and one transport. */
export function createAzureGateways(connection: AzureConnection): AzureGateways {
  const transport = transportOptions(connection);
  const credential = createCredential(connection, transport);
  return {
    desktopVirtualization: new DesktopVirtualizationAdapter(connection, credential, transport),
    compute: new ComputeAdapter(connection, credential, transport),
  };
}
