// Errors the controller machinery tells apart: API status codes, and a terminal error that
// tells the runner not to retry (the object must change first).

/** An error from the Kubernetes API with its HTTP status code and, when there is one, its Status body. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;

  constructor(statusCode: number, message: string, reason?: string) {
    super(message);
    this.name = "KubeApiError";
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/**
 * Thrown by a reconciler when retrying cannot help until the object changes (a bad spec, say).
 * The runner logs it and does not requeue; a change to the object queues it again.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** The HTTP status code of an error from this module or from @kubernetes/client-node, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === "number") return e.statusCode;
  // client-node's generated APIs throw ApiException with `code`.
  if (typeof e.code === "number") return e.code;
  return undefined;
}

export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;
export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isGone = (error: unknown): boolean => statusCodeOf(error) === 410;
