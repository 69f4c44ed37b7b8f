// Azure errors as the rest of the operator sees them: code, HTTP status and the retry
// delay the service asked for, without the SDK's RestError type leaking out of src/azure.

export class AzureError extends Error {
  override name = "AzureError";
  /** ARM error code, e.g. ResourceNotFound, or the HTTP status as text when there is none. */
  readonly code: string;
  readonly statusCode?: number;
  /** What Retry-After (or retry-after-ms) said, for a 429 or 503. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    code: string,
    statusCode?: number,
    retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    if (statusCode !== undefined) this.statusCode = statusCode;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
}

/** Turns whatever an SDK call threw into an AzureError (other errors pass through). */
export function toAzureError(error: unknown, doing: string): unknown {
  if (error instanceof AzureError) return error;
  if (!(error instanceof Error)) return error;
  // Duck-typed: the SDKs bundle their own copies of core-rest-pipeline's RestError.
  if (error.name === "RestError") {
    const rest = error as RestErrorLike;
    const code = rest.code ?? String(rest.statusCode ?? "RestError");
    return new AzureError(
      `${doing}: ${error.message}`,
      code,
      rest.statusCode,
      retryAfterMs(rest.response?.headers),
      { cause: error },
    );
  }
  if (credentialErrors.has(error.name)) {
    return new AzureError(`${doing}: ${error.message}`, error.name, 401, undefined, { cause: error });
  }
  return error;
}

// What @azure/identity throws when no token could be had.
const credentialErrors = new Set([
  "AuthenticationError",
  "AuthenticationRequiredError",
  "AggregateAuthenticationError",
  "CredentialUnavailableError",
]);

interface RestErrorLike {
  code?: string;
  statusCode?: number;
  response?: { headers: { get(name: string): string | undefined } };
}

/** What Retry-After, retry-after-ms or x-ms-retry-after-ms asked for, in milliseconds. */
export function retryAfterMs(
  headers: { get(name: string): string | undefined } | undefined,
): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms") ?? headers.get("x-ms-retry-after-ms"));
  if (ms > 0) return ms;
  const seconds = Number(headers.get("retry-after"));
  return seconds > 0 ? seconds * 1000 : undefined;
}

/** Runs an SDK call and rethrows its failure as an AzureError saying what was being done. */
export async function azureCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAzureError(error, doing);
  }
}

/** azureCall for a read: what does not exist (404) is undefined rather than an error. */
export async function azureGet<T>(doing: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await azureCall(doing, call);
  } catch (error) {
    if (error instanceof AzureError && error.notFound) return undefined;
    throw error;
  }
}
