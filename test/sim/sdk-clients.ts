// The real SDK clients, made the way the gateways make theirs, for wire tests of what the
// gateways do not call (subscription-wide lists, query options, raw SDK models).
import { ComputeManagementClient } from "@azure/arm-compute";
import { DesktopVirtualizationAPIClient } from "@azure/arm-desktopvirtualization";
import { createCredential, emulatorConnection, transportOptions } from "../../src/azure/connection.ts";
import type { RunningSim } from "../../src/sim/server.ts";

export function sdkClients(sim: RunningSim) {
  const connection = emulatorConnection(sim.info, sim.caPem);
  const transport = transportOptions(connection);
  const credential = createCredential(connection, transport);
  const scopes = [connection.endpoints.resourceManagerScope];
  const common = { ...transport, endpoint: connection.endpoints.resourceManager };
  return {
    desktopVirtualization: new DesktopVirtualizationAPIClient(credential, connection.subscriptionId, {
      ...common,
      credentialScopes: scopes,
    }),
    compute: new ComputeManagementClient(credential, connection.subscriptionId, {
      ...common,
      credentials: { scopes },
    }),
  };
}
