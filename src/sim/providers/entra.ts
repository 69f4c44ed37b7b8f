// Entra ID, enough for the real @azure/identity credentials: the v2.0 OpenID configuration
// document and the token endpoint for the client-credentials grant with a client secret
// (ClientSecretCredential) or a federated client assertion (WorkloadIdentityCredential).
import { randomUUID } from "node:crypto";
import type { SimRequest, SimResponse } from "../http.ts";
import { origin } from "../http.ts";
import type { ProviderRoute } from "../provider.ts";
import { decodeJwtPayload, type TokenSigner } from "../tokens.ts";
import type { Topology } from "../topology.ts";

/** Audiences ARM accepts; a token for anything else is refused at the token endpoint. */
const armAudiences = ["https://management.azure.com/", "https://management.core.windows.net/"];
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface EntraOptions {
  topology: () => Topology;
  signer: TokenSigner;
  /** Token lifetime in real seconds (tokens are checked against the wall clock, as MSAL caches them). */
  tokenLifetimeSeconds: () => number;
}

export function entraRoutes(options: EntraOptions): ProviderRoute[] {
  return [
    {
      method: "GET",
      path: "/{tenantId}/v2.0/.well-known/openid-configuration",
      operation: "EntraId/openid-configuration/read",
      handler: (req) => {
        const tenant = req.params.tenantId!;
        if (tenant !== options.topology().tenantId && tenant !== "organizations" && tenant !== "common") {
          return oauthError(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found.`);
        }
        const base = `${origin(req)}/${tenant}`;
        return {
          status: 200,
          body: {
            issuer: `${base}/v2.0`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
            subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"],
            scopes_supported: ["openid", "profile", "email", "offline_access"],
            token_endpoint_auth_methods_supported: [
              "client_secret_post",
              "private_key_jwt",
              "client_secret_basic",
            ],
            tenant_region_scope: "EU",
          },
        };
      },
    },
    {
      method: "GET",
      path: "/{tenantId}/discovery/v2.0/keys",
      operation: "EntraId/keys/read",
      handler: () => ({ status: 200, body: { keys: [] } }),
    },
    {
      method: "POST",
      path: "/{tenantId}/oauth2/v2.0/token",
      operation: "EntraId/token/action",
      handler: (req) => issueToken(req, options),
    },
  ];
}

function issueToken(req: SimRequest, options: EntraOptions): SimResponse {
  const topology = options.topology();
  const form = new URLSearchParams(req.rawBody);
  if (req.params.tenantId !== topology.tenantId) {
    return oauthError(400, "invalid_request", 90002, `Tenant '${req.params.tenantId}' not found.`);
  }
  if (form.get("grant_type") !== "client_credentials") {
    return oauthError(
      400,
      "unsupported_grant_type",
      70003,
      "The app requested an unsupported grant type; use client_credentials.",
    );
  }
  const clientId = form.get("client_id") ?? "";
  const principal = topology.principals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
  if (!principal) {
    return oauthError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory.`,
    );
  }
  const secret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  if (secret !== null) {
    if (principal.clientSecret === undefined || secret !== principal.clientSecret) {
      return oauthError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
      );
    }
  } else if (assertion !== null) {
    const refusal = checkAssertion(
      form.get("client_assertion_type"),
      assertion,
      principal.federatedSubjects ?? [],
    );
    if (refusal) return oauthError(401, "invalid_client", 70021, refusal);
  } else {
    return oauthError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const scope = form.get("scope") ?? "";
  const resource = scope
    .split(" ")
    .filter((s) => s.endsWith("/.default"))
    .map((s) => s.slice(0, -".default".length))
    .find((r) => armAudiences.includes(r));
  if (!resource) {
    return oauthError(
      400,
      "invalid_scope",
      70011,
      `The provided value for scope '${scope}' is not valid; ask for https://management.azure.com/.default.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Math.round(options.tokenLifetimeSeconds());
  const token = options.signer.sign({
    aud: resource,
    iss: `https://sts.windows.net/${topology.tenantId}/`,
    tid: topology.tenantId,
    oid: principal.clientId,
    appid: principal.clientId,
    iat: now,
    nbf: now,
    exp: now + lifetime,
  });
  return {
    status: 200,
    body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
  };
}

function checkAssertion(
  type: string | null,
  assertion: string,
  subjects: readonly string[],
): string | undefined {
  if (type !== jwtBearer) return `client_assertion_type must be ${jwtBearer}.`;
  const claims = decodeJwtPayload(assertion);
  if (!claims) return "The client assertion is not a JWT.";
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes("api://AzureADTokenExchange")) {
    return "The client assertion's audience must be api://AzureADTokenExchange.";
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now())
    return "The client assertion has expired.";
  if (!subjects.includes(String(claims.sub))) {
    return `No matching federated identity record found for presented assertion subject '${String(claims.sub)}'.`;
  }
  return undefined;
}

function oauthError(status: number, error: string, code: number, description: string): SimResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}
