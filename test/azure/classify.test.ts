// Every Azure failure is classified once: retry, wait for a person (with the reason a condition
// shows and what to fix), or a bug reported as it is.
import { describe, expect, it } from "vitest";
import { classifyAzureError } from "../../src/azure/classify.ts";
import { AzureError } from "../../src/azure/errors.ts";

const err = (code: string, status?: number, retryAfterMs?: number) =>
  new AzureError(`doing something: ${code}`, code, status, retryAfterMs);

describe("classifyAzureError", () => {
  it("retries throttling, server errors and a job still running, keeping Retry-After", () => {
    expect(classifyAzureError(err("SubscriptionRequestsThrottled", 429, 7000))).toEqual({
      kind: "transient",
      code: "SubscriptionRequestsThrottled",
      message: "doing something: SubscriptionRequestsThrottled",
      retryAfterMs: 7000,
    });
    for (const e of [
      err("InternalServerError", 500),
      err("RegionUnavailable", 503),
      err("ProtectedItemOperationInProgress", 400),
      err("Conflict", 409),
      err("REQUEST_SEND_ERROR"),
    ])
      expect(classifyAzureError(e).kind).toBe("transient");
  });

  it("sends credentials, permissions, missing resources and refusals to a person, with a reason and a fix", () => {
    const cases: [AzureError, string][] = [
      [err("AuthenticationRequiredError", 401), "AzureAuthenticationFailed"],
      [err("AuthorizationFailed", 403), "AzureAuthorizationFailed"],
      [err("ResourceGroupNotFound", 404), "ResourceGroupNotFound"],
      [err("HostPoolNotFound", 404), "HostPoolNotFound"],
      [err("ResourceNotFound", 404), "AzureResourceNotFound"],
      [err("SubscriptionNotFound", 404), "SubscriptionNotFound"],
      [err("OperationNotAllowedInCurrentState", 400), "AzureOperationRefused"],
    ];
    for (const [error, reason] of cases) {
      const failure = classifyAzureError(error);
      expect(failure).toMatchObject({ kind: "needsPerson", reason, message: error.message });
      expect(failure.kind === "needsPerson" && failure.fix.length).toBeGreaterThan(10);
    }
  });

  it("reports anything else as a bug, and network failures outside AzureError as transient", () => {
    expect(classifyAzureError(new TypeError("x is undefined"))).toEqual({
      kind: "bug",
      code: "TypeError",
      message: "x is undefined",
    });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifyAzureError(reset).kind).toBe("transient");
    expect(classifyAzureError(err("Weird", 418)).kind).toBe("bug");
  });

  it("keeps the SDK's error as the cause of an AzureError", () => {
    const sdk = Object.assign(new Error("boom"), { name: "RestError", statusCode: 500, code: "X" });
    const wrapped = new AzureError("reading: boom", "X", 500, undefined, { cause: sdk });
    expect(wrapped.cause).toBe(sdk);
  });
});
