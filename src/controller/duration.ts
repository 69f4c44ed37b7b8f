// Go duration strings ("15s", "1m30s", "500ms"), as Kubernetes flags and our CRDs spell them.
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;

/** Milliseconds in a Go duration without a sign; throws a message naming `what` on anything else. */
export function parseDuration(value: string, what: string): number {
  let total = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (let m = PART.exec(value); m; m = PART.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = PART.lastIndex;
  }
  if (value === "0") return 0;
  if (end === 0 || end !== value.length) {
    throw new Error(`${what} must be a duration such as 15s, 500ms or 1m30s, got "${value}"`);
  }
  return total;
}
