// The emulator's own small HTTP layer: a request/response shape independent of node:http,
// ARM's error body, a router whose routes carry the ARM operation kind they implement
// (for counters, audit and, later, throttling and faults), and a middleware pipeline.
export interface SimRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  /** The matched route, once routing happened. */
  route?: Route;
  /** The authenticated caller (object id of the service principal). */
  principal?: string;
  /** What a write handler wants the audit log to say beyond operation and target. */
  auditDetails?: Record<string, unknown>;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;
export type Next = () => Promise<SimResponse>;
export interface Middleware {
  readonly name: string;
  handle(req: SimRequest, next: Next): Promise<SimResponse>;
}

/** How ARM classifies a call: reads, writes, deletes and actions are counted and limited apart. */
export type CallClass = "read" | "write" | "delete" | "action";

export interface Route {
  readonly method: string;
  /** ARM operation name, e.g. Microsoft.Compute/virtualMachines/deallocate/action. */
  readonly operation: string;
  readonly callClass: CallClass;
  /** api-versions the route accepts; empty for non-ARM routes (Entra ID, admin). */
  readonly apiVersions: readonly string[];
  readonly handler: Handler;
  readonly segments: readonly string[];
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const notFound = (what: string) =>
  new ArmError(404, "ResourceNotFound", `The Resource '${what}' was not found.`);
export const badRequest = (message: string, code = "InvalidRequestContent") =>
  new ArmError(400, code, message);

export function errorResponse(error: ArmError): SimResponse {
  return {
    status: error.status,
    headers: error.headers,
    body: { error: { code: error.code, message: error.message } },
  };
}

/** Parses a JSON request body; a malformed one is ARM's 400 InvalidRequestContent. */
export function jsonBody(req: SimRequest): Record<string, unknown> {
  if (req.rawBody.trim() === "") throw badRequest("The request content was invalid: the body is empty.");
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch (error) {
    throw badRequest(
      `The request content was invalid and could not be deserialized: ${(error as Error).message}`,
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request content was invalid: expected a JSON object.");
  }
  return body as Record<string, unknown>;
}

export function origin(req: SimRequest): string {
  return req.url.origin;
}

// Path patterns use `{name}` for parameters; literal segments match case-insensitively,
// as ARM's do (the desktop virtualization SDK itself writes `resourcegroups` in places).
export class Router {
  readonly #routes: Route[] = [];

  add(route: Omit<Route, "segments"> & { path: string }): void {
    const { path, ...rest } = route;
    // Literal segments are lowered once here; a request's path, once per match.
    const segments = split(path).map((s) => (s.startsWith("{") ? s : s.toLowerCase()));
    this.#routes.push({ ...rest, segments });
  }

  match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | "method" | undefined {
    const parts = split(pathname);
    const lowered = parts.map((p) => p.toLowerCase());
    let methodMismatch = false;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts, lowered);
      if (!params) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route, params };
    }
    return methodMismatch ? "method" : undefined;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function matchSegments(
  pattern: readonly string[],
  parts: readonly string[],
  lowered: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith("{")) {
      params[p.slice(1, -1)] = decodeURIComponent(parts[i]!);
    } else if (p !== lowered[i]) {
      return undefined;
    }
  }
  return params;
}

/** Middleware run in order around the routed handler; later issues insert throttling and faults. */
export class Pipeline {
  readonly #stages: Middleware[] = [];

  use(stage: Middleware, position?: { before: string }): void {
    const at = position ? this.#stages.findIndex((s) => s.name === position.before) : -1;
    if (position && at < 0) throw new Error(`no pipeline stage named ${position.before}`);
    if (at < 0) this.#stages.push(stage);
    else this.#stages.splice(at, 0, stage);
  }

  get names(): string[] {
    return this.#stages.map((s) => s.name);
  }

  /** Runs the stages then `last`; an ArmError thrown anywhere becomes its ARM error body. */
  run(req: SimRequest, last: Handler): Promise<SimResponse> {
    const step = async (i: number): Promise<SimResponse> => {
      try {
        const stage = this.#stages[i];
        return await (stage ? stage.handle(req, () => step(i + 1)) : last(req));
      } catch (error) {
        if (error instanceof ArmError) return errorResponse(error);
        throw error;
      }
    };
    return step(0);
  }
}
