// The API's duration fields are Go duration strings ("90s", "1h30m"); these convert them to
// milliseconds and back, so that code reads spec.drain.gracePeriod and writes status.rto
// the same way the API server's CEL rules understand them.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const COMPONENT = /([0-9]+(?:[.][0-9]+)?)(ns|us|µs|μs|ms|s|m|h)/y;
/** The same syntax as a whole-string RE2 pattern, for the CRDs' CEL rules. */
export const DURATION_PATTERN = `^(${COMPONENT.source})+$`;

/** Milliseconds in a Go duration string without a sign, e.g. "1h30m" → 5400000. */
export function parseDuration(text: string): number {
  const invalid = () => new Error(`"${text}" is not a duration: write it like 90s, 15m or 1h30m`);
  if (text.length === 0) throw invalid();
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < text.length) {
    const match = COMPONENT.exec(text);
    if (!match) throw invalid();
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}

/** A Go-style duration rounded to the second, e.g. 724000 → "12m4s", 3600000 → "1h0m0s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
