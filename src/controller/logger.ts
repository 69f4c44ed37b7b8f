// The logging surface the machinery needs; a pino logger satisfies it, and so does silentLog in tests.
export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Log;
}

const nothing = () => {};
export const silentLog: Log = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  child: () => silentLog,
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
