// The operator's log never carries a secret, whatever a log call is handed.
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED_PATHS } from "../../src/cli/operator.ts";

describe("operator log", () => {
  it("redacts client secrets, credentials, tokens and authorization headers", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, sink);
    log.info({ credentials: { tenantId: "t", clientId: "c", clientSecret: "hunter2" } }, "observing");
    log.warn(
      { plan: { clientSecret: "hunter2" }, req: { headers: { authorization: "Bearer hunter2" } } },
      "x",
    );
    log.error({ err: { token: "hunter2" } }, "y");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain("hunter2");
    expect(JSON.parse(lines[0]!).credentials).toBe("[redacted]");
  });
});
