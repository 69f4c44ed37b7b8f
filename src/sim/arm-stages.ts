// The stages every ARM call passes through, in order: count, authenticate, scope
// (subscription and resource group exist), api-version, advance simulated time, audit.
// Throttling and fault injection (next issue) are stages inserted before `scope`.
import { randomUUID } from "node:crypto";
import type { SimClock, Timeline } from "./clock.ts";
import { ArmError, type Middleware, type SimResponse } from "./http.ts";
import type { AuditLog, CallCounters } from "./records.ts";
import type { TokenSigner } from "./tokens.ts";
import type { World } from "./world.ts";

export function countCalls(counters: CallCounters): Middleware {
  return {
    name: "count",
    async handle(req, next) {
      const res = await next();
      counters.add(req.route?.operation ?? "unknown", res.status);
      res.headers = {
        "x-ms-request-id": randomUUID(),
        "x-ms-correlation-request-id": randomUUID(),
        ...res.headers,
      };
      return res;
    },
  };
}

export function authenticate(
  signer: TokenSigner,
  tenantId: () => string,
  authority: (origin: string) => string,
): Middleware {
  return {
    name: "authenticate",
    async handle(req, next) {
      const fail = (code: string, message: string) =>
        new ArmError(401, code, message, {
          "www-authenticate": `Bearer authorization_uri="${authority(req.url.origin)}", error="invalid_token", error_description="${message}"`,
        });
      const header = req.headers.authorization;
      if (typeof header !== "string" || header === "") {
        throw fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
      }
      const [scheme, token] = header.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !token) {
        throw fail(
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is not a bearer token.",
        );
      }
      const claims = signer.verify(token, Date.now() / 1000);
      if (typeof claims === "string") throw fail("InvalidAuthenticationToken", claims);
      if (claims.tid !== tenantId()) {
        throw fail(
          "InvalidAuthenticationTokenTenant",
          `The access token is from the wrong issuer '${claims.iss}'.`,
        );
      }
      req.principal = claims.oid;
      return next();
    },
  };
}

export function checkScope(world: () => World): Middleware {
  return {
    name: "scope",
    async handle(req, next) {
      const { subscriptionId, resourceGroupName } = req.params;
      const w = world();
      if (subscriptionId !== undefined && subscriptionId.toLowerCase() !== w.subscriptionId.toLowerCase()) {
        throw new ArmError(
          404,
          "SubscriptionNotFound",
          `The subscription '${subscriptionId}' could not be found.`,
        );
      }
      if (resourceGroupName !== undefined && !w.resourceGroup(resourceGroupName)) {
        throw new ArmError(
          404,
          "ResourceGroupNotFound",
          `Resource group '${resourceGroupName}' could not be found.`,
        );
      }
      return next();
    },
  };
}

export function checkApiVersion(): Middleware {
  return {
    name: "api-version",
    async handle(req, next) {
      const route = req.route;
      if (!route) return next();
      const version = req.url.searchParams.get("api-version");
      if (!version) {
        throw new ArmError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      }
      if (!route.apiVersions.includes(version)) {
        const type = route.operation.split("/").slice(0, -1).join("/");
        throw new ArmError(
          400,
          "NoRegisteredProviderFound",
          `No registered resource provider found for API version '${version}' and type '${type}'. The supported api-versions are '${route.apiVersions.join(", ")}'.`,
        );
      }
      return next();
    },
  };
}

export function advanceTime(timeline: Timeline): Middleware {
  return {
    name: "advance-time",
    async handle(_req, next) {
      timeline.advance();
      return next();
    },
  };
}

export function auditWrites(log: AuditLog, clock: SimClock): Middleware {
  return {
    name: "audit",
    async handle(req, next) {
      const res: SimResponse = await next();
      const route = req.route;
      if (!route || route.callClass === "read" || res.status >= 400) return res;
      const path = req.url.pathname;
      const target = route.callClass === "action" ? path.slice(0, path.lastIndexOf("/")) : path;
      log.add({
        time: clock.nowIso(),
        operation: route.operation,
        target,
        status: res.status,
        ...(req.principal ? { principal: req.principal } : {}),
        ...(req.auditDetails ? { details: req.auditDetails } : {}),
      });
      return res;
    },
  };
}
