// Entra ID as the emulator plays it, through the real @azure/identity credentials: a client
// secret (what a Kubernetes Secret holds) and workload identity through the
// DefaultAzureCredential chain (what the operator uses on AKS).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureConnection, createCredential, emulatorConnection } from "../../src/azure/connection.ts";
import { AzureError } from "../../src/azure/errors.ts";
import { createAzureGateways } from "../../src/azure/index.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { federatedToken, ids, smallTopology, timeScale } from "../sim/fixtures.ts";

let sim: RunningSim;
let dir: string;
beforeAll(async () => {
  sim = await startSim({ topology: smallTopology(), timeScale });
  dir = await mkdtemp(join(tmpdir(), "avd-dr-identity-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `body` with workload identity's environment variables set, as AKS sets them. */
async function withWorkloadIdentity(subject: string, body: () => Promise<void>): Promise<void> {
  const file = join(dir, `token-${Math.random()}`);
  await writeFile(file, federatedToken(subject));
  const vars = { AZURE_FEDERATED_TOKEN_FILE: file, AZURE_CLIENT_ID: ids.client, AZURE_TENANT_ID: ids.tenant };
  Object.assign(process.env, vars);
  try {
    await body();
  } finally {
    for (const name of Object.keys(vars)) delete process.env[name];
  }
}

const defaultChain = (): AzureConnection => ({
  ...emulatorConnection(sim.info, sim.caPem),
  credential: { kind: "default" },
});

describe("client secret", () => {
  it("gets an ARM token that the gateways use", async () => {
    const gateways = createAzureGateways(emulatorConnection(sim.info, sim.caPem));
    expect((await gateways.desktopVirtualization.listHostPools("rg-weu")).map((p) => p.name)).toEqual([
      "hp-weu",
    ]);
  });

  it("a wrong secret is refused with Entra ID's error, surfaced as an AzureError", async () => {
    const connection = emulatorConnection({ ...sim.info, clientSecret: "wrong" }, sim.caPem);
    const error = await createAzureGateways(connection)
      .desktopVirtualization.listHostPools("rg-weu")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureError);
    expect((error as AzureError).message).toContain("AADSTS7000215");
    expect(sim.admin.calls("Microsoft.DesktopVirtualization/hostpools/read", 200)).toBe(1);
  });

  it("a token for another resource than ARM is refused (the HLC clients' default scope would be one)", async () => {
    const credential = createCredential(emulatorConnection(sim.info, sim.caPem));
    await expect(credential.getToken(`${sim.info.armEndpoint}/.default`)).rejects.toThrow(/AADSTS70011/);
  });
});

describe("workload identity through DefaultAzureCredential", () => {
  it("exchanges the service account token for an ARM token", async () => {
    await withWorkloadIdentity(ids.subject, async () => {
      const gateways = createAzureGateways(defaultChain());
      const vms = await gateways.compute.listPowerStates("rg-weu");
      expect(vms).toHaveLength(3);
    });
  });
});
