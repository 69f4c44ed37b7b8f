// Entra ID's endpoints on the wire: what MSAL reads from the OpenID configuration, and the
// token endpoint's answers to right and wrong client credentials.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { federatedToken, ids, raw, smallTopology, timeScale } from "./fixtures.ts";

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim({ topology: smallTopology(), timeScale });
});
afterAll(() => sim.close());

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  contentType: "application/x-www-form-urlencoded",
});
const token = (fields: Record<string, string>, tenant = ids.tenant) =>
  raw(
    sim,
    "POST",
    `/${tenant}/oauth2/v2.0/token`,
    form({ grant_type: "client_credentials", scope: "https://management.azure.com/.default", ...fields }),
  );
const assertion = (jwt: string) => ({
  client_id: ids.client,
  client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
  client_assertion: jwt,
});

describe("OpenID configuration", () => {
  it("points MSAL at the emulator's own token endpoint", async () => {
    const res = await raw(sim, "GET", `/${ids.tenant}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    for (const field of ["token_endpoint", "authorization_endpoint", "issuer", "jwks_uri"]) {
      expect(res.body[field].startsWith(`${sim.info.authorityHost}/${ids.tenant}`)).toBe(true);
    }
  });
});

describe("token endpoint", () => {
  it("issues a bearer token for the right client secret", async () => {
    const res = await token({ client_id: ids.client, client_secret: ids.secret });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "Bearer" });
    expect(res.body.expires_in).toBeGreaterThan(0);
    expect(res.body.access_token.split(".")).toHaveLength(3);
  });

  it("refuses a wrong secret, an unknown client and another tenant", async () => {
    const wrong = await token({ client_id: ids.client, client_secret: "guess" });
    expect([wrong.status, wrong.body.error]).toEqual([401, "invalid_client"]);
    expect(wrong.body.error_description).toMatch(/^AADSTS7000215:/);
    const unknown = await token({
      client_id: "0f0e0d0c-0000-4000-8000-00000000dead",
      client_secret: ids.secret,
    });
    expect([unknown.status, unknown.body.error]).toEqual([400, "unauthorized_client"]);
    const tenant = await token(
      { client_id: ids.client, client_secret: ids.secret },
      "0f0e0d0c-0000-4000-8000-00000000beef",
    );
    expect(tenant.status).toBe(400);
  });

  it("exchanges a federated token whose subject has a federated credential", async () => {
    const res = await token(assertion(federatedToken(ids.subject)));
    expect(res.status).toBe(200);
  });

  it("refuses a federated token of another subject or audience", async () => {
    const intruder = await token(assertion(federatedToken("system:serviceaccount:default:intruder")));
    expect([intruder.status, intruder.body.error]).toEqual([401, "invalid_client"]);
    expect(intruder.body.error_description).toContain("intruder");
    const audience = await token(assertion(federatedToken(ids.subject, "https://example.com")));
    expect(audience.status).toBe(401);
    expect(audience.body.error_description).toContain("api://AzureADTokenExchange");
  });
});
