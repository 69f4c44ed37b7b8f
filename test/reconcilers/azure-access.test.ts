// Gateways per plan: shared between plans with the same endpoint, subscription and principal,
// rebuilt when the secret changes, pointed at spec.cloud or the operator's defaults.
import { describe, expect, it } from "vitest";
import type { AvdDisasterRecoveryPlan } from "../../src/api/index.ts";
import type { AzureConnection } from "../../src/azure/connection.ts";
import type { AzureGateways } from "../../src/azure/index.ts";
import { AzureAccess } from "../../src/reconcilers/azure-access.ts";
import { plan } from "../operator/fixtures.ts";

function recordingAccess() {
  const built: AzureConnection[] = [];
  const access = new AzureAccess({
    armEndpoint: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    createGateways: (connection) => {
      built.push(connection);
      return { built: built.length } as unknown as AzureGateways;
    },
  });
  return { access, built };
}

const sp = (clientSecret: string) => ({
  tenantId: "5d2a7c1e-0000-4000-8000-00000000e001",
  clientId: "5d2a7c1e-0000-4000-8000-00000000c001",
  clientSecret,
});

describe("AzureAccess", () => {
  it("shares gateways between plans of one endpoint, subscription and principal", () => {
    const { access, built } = recordingAccess();
    const a = access.gatewaysFor(plan("a"), sp("s1"));
    expect(access.gatewaysFor(plan("b"), sp("s1"))).toBe(a);
    expect(access.gatewaysFor(plan("c"), undefined)).not.toBe(a);
    expect(built.map((c) => c.credential.kind)).toEqual(["clientSecret", "default"]);
  });

  it("builds new gateways when the Secret's clientSecret changes", () => {
    const { access, built } = recordingAccess();
    const first = access.gatewaysFor(plan("a"), sp("old"));
    const second = access.gatewaysFor(plan("a"), sp("new"));
    expect(second).not.toBe(first);
    expect(access.gatewaysFor(plan("a"), sp("new"))).toBe(second);
    expect(built).toHaveLength(2);
  });

  it("uses spec.cloud over the operator's endpoints, with the ARM token scope, and no instance discovery off Entra ID", () => {
    const { access, built } = recordingAccess();
    const p: AvdDisasterRecoveryPlan = plan("sim");
    p.spec.cloud = { armEndpoint: "https://localhost:8443/", authorityHost: "https://localhost:8443" };
    access.gatewaysFor(p, sp("x"));
    access.gatewaysFor(plan("azure"), sp("x"));
    expect(built[0]!.endpoints).toEqual({
      resourceManager: "https://localhost:8443",
      authorityHost: "https://localhost:8443",
      resourceManagerScope: "https://management.azure.com/.default",
    });
    expect(built[0]!.disableInstanceDiscovery).toBe(true);
    expect(built[1]!.endpoints.resourceManager).toBe("https://management.azure.com");
    expect(built[1]!.disableInstanceDiscovery).toBeUndefined();
  });

  it("gives a sovereign cloud its own token scope", () => {
    const { access, built } = recordingAccess();
    const p: AvdDisasterRecoveryPlan = plan("gov");
    p.spec.cloud = {
      armEndpoint: "https://management.usgovcloudapi.net",
      authorityHost: "https://login.microsoftonline.us",
    };
    access.gatewaysFor(p, undefined);
    expect(built[0]!.endpoints.resourceManagerScope).toBe("https://management.usgovcloudapi.net/.default");
  });
});
