// docs/api.md is written by hand for AVD administrators; this keeps it from falling behind
// the schemas: every spec field (by its full path) and every status field is described.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { FailoverRequestSpecSchema, FailoverRequestStatusSchema } from "../../src/api/failover-request.ts";
import {
  AvdDisasterRecoveryPlanSpecSchema,
  AvdDisasterRecoveryPlanStatusSchema,
} from "../../src/api/plan.ts";

/** Dotted paths of every property below `schema`, through objects and arrays. */
function fieldPaths(schema: TSchema, prefix = ""): string[] {
  const node: TSchema = schema.type === "array" ? schema.items : schema;
  const properties = (node.properties ?? {}) as Record<string, TSchema>;
  return Object.entries(properties).flatMap(([name, sub]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return [path, ...fieldPaths(sub, path)];
  });
}

describe("docs/api.md", async () => {
  const doc = await readFile(join(import.meta.dirname, "..", "..", "docs", "api.md"), "utf8");

  it("describes every spec field by its path", () => {
    const paths = [
      ...fieldPaths(AvdDisasterRecoveryPlanSpecSchema),
      ...fieldPaths(FailoverRequestSpecSchema),
    ];
    // An object field counts as described when its own fields are (`planRef.name`).
    const missing = paths.filter((p) => !doc.includes(`\`${p}\``) && !doc.includes(`\`${p}.`));
    expect(missing).toEqual([]);
  });

  it("describes every status field", () => {
    const names = [
      ...fieldPaths(AvdDisasterRecoveryPlanStatusSchema),
      ...fieldPaths(FailoverRequestStatusSchema),
    ]
      .map((p) => p.split(".").pop()!)
      .filter((name) => !["type", "status", "reason", "message", "lastTransitionTime"].includes(name));
    expect(names.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
