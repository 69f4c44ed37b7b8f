// What the schema check finds in objects stored under another schema.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { checkAgainstSchema } from "../../src/controller/schema-check.ts";

const schema = Type.Object(
  {
    name: Type.String({ minLength: 3, maxLength: 8 }),
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    pools: Type.Optional(
      Type.Array(Type.Object({ id: Type.String() }, { additionalProperties: false }), { maxItems: 2 }),
    ),
  },
  { additionalProperties: false },
);

describe("schema check", () => {
  it("finds nothing in a fitting object", () => {
    expect(checkAgainstSchema(schema, { name: "abc", count: 3, pools: [{ id: "x" }] }, "spec")).toEqual([]);
  });

  it("names each field that does not fit, down into arrays", () => {
    expect(
      checkAgainstSchema(
        schema,
        { name: "ab", count: 2.5, pools: [{ id: 1 }, { id: "y", extra: true }, { id: "z" }] },
        "spec",
      ),
    ).toEqual([
      { field: "spec.name", message: "must be at least 3 characters long" },
      { field: "spec.count", message: "must be of type integer, found number" },
      { field: "spec.pools", message: "must have at most 2 items" },
      { field: "spec.pools[0].id", message: "must be of type string, found integer" },
      { field: "spec.pools[1].extra", message: "is not a field this operator knows; remove it" },
    ]);
  });

  it("reports a missing required field and stops at the limit", () => {
    expect(checkAgainstSchema(schema, { count: 11 }, "spec")).toEqual([
      { field: "spec.name", message: "is required" },
      { field: "spec.count", message: "must be at most 10, found 11" },
    ]);
    expect(checkAgainstSchema(schema, { count: 11, a: 1, b: 2 }, "spec", 2)).toHaveLength(2);
  });
});
