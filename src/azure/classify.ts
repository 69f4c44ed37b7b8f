// What an Azure failure means for the caller, decided once here: try again (throttling, a
// server error, the network, a job still running), wait for a person (credentials,
// permissions, a resource that does not exist, an operation Azure refuses), or a bug.
import { AzureError } from "./errors.ts";

export type AzureFailure =
  /** Retry with backoff; `retryAfterMs` is what the service asked for. */
  | { kind: "transient"; code: string; message: string; retryAfterMs?: number }
  /** Only a person can fix it: `reason` is a CamelCase condition reason, `fix` what to do. */
  | { kind: "needsPerson"; code: string; reason: string; message: string; fix: string }
  /** Neither: an unexpected error, reported as it is. */
  | { kind: "bug"; code: string; message: string };

/** ARM and Site Recovery codes that mean "something is still running; try again later". */
const BUSY_CODES = new Set(
  [
    "Conflict",
    "OperationNotAllowed",
    "AnotherOperationInProgress",
    "ProtectedItemOperationInProgress",
    "RecoveryPlanOperationInProgress",
    "RetryableError",
    "OperationPreempted",
  ].map((c) => c.toLowerCase()),
);

/** Codes of errors that never reached a server or got no answer. */
const NETWORK_CODES = new Set([
  "REQUEST_SEND_ERROR",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_SOCKET",
]);

export function classifyAzureError(error: unknown): AzureFailure {
  if (!(error instanceof AzureError)) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown })?.code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return { kind: "transient", code, message };
    return { kind: "bug", code: error instanceof Error ? error.name : "Error", message };
  }
  const { code, statusCode, message } = error;
  const transient = (): AzureFailure => ({
    kind: "transient",
    code,
    message,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  });
  const person = (reason: string, fix: string): AzureFailure => ({
    kind: "needsPerson",
    code,
    reason,
    message,
    fix,
  });
  if (statusCode === undefined) return NETWORK_CODES.has(code) ? transient() : { kind: "bug", code, message };
  if (statusCode === 429 || statusCode === 408 || statusCode >= 500) return transient();
  if (BUSY_CODES.has(code.toLowerCase()) || (statusCode === 409 && code !== "ProtectionAlreadyEnabled"))
    return transient();
  if (statusCode === 401)
    return person(
      "AzureAuthenticationFailed",
      "check the credentials: the Secret's tenantId, clientId and clientSecret (not expired), or the operator's workload identity and its federated credential",
    );
  if (statusCode === 403)
    return person(
      "AzureAuthorizationFailed",
      "give the operator's principal the role in config/azure/role.json on the plan's resource groups and vault",
    );
  if (code === "SubscriptionNotFound")
    return person("SubscriptionNotFound", "check spec.subscriptionId and that the principal can see it");
  // A specific code (ResourceGroupNotFound, or HostPoolNotFound from the reconcilers) is the reason itself.
  if (statusCode === 404)
    return person(
      code.endsWith("NotFound") && code !== "ResourceNotFound" ? code : "AzureResourceNotFound",
      "check the names in the spec",
    );
  if (statusCode === 400 || statusCode === 409)
    return person(
      "AzureOperationRefused",
      "Azure refused the operation; its message says why: fix that in Azure, or change the spec",
    );
  return { kind: "bug", code, message };
}
