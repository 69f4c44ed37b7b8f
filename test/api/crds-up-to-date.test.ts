// crds/ and the chart's crds/ are generated from src/api; this fails when someone changed the
// types and forgot `npm run generate`, or edited the YAML by hand.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { CRD_DIRS, crdFiles, toOpenApi } from "../../src/api/crds.ts";

const REPO = join(import.meta.dirname, "..", "..");

describe("crds/", () => {
  it.each(CRD_DIRS)("%s holds exactly what `npm run generate` writes today", async (dir) => {
    const expected = crdFiles();
    const present = (await readdir(join(REPO, dir))).filter((f) => f.endsWith(".yaml")).sort();
    expect(
      present,
      `${dir}/ has files src/api does not generate (or misses some): run npm run generate`,
    ).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) {
      const onDisk = await readFile(join(REPO, dir, name), "utf8");
      expect(onDisk, `${dir}/${name} is stale: run npm run generate`).toBe(content);
    }
  });

  it("refuses a schema key that has no place in a CRD, naming where it is", () => {
    const schema = Type.Object({ spec: Type.Object({ size: Type.Integer({ multipleOf: 2 }) }) });
    expect(() => toOpenApi(schema, "plan")).toThrow('plan.spec.size: schema key "multipleOf"');
  });

  it("drops TypeBox's additionalProperties and symbol keys", () => {
    const out = toOpenApi(Type.Object({ a: Type.Optional(Type.String()) }, { additionalProperties: false }));
    expect(out).toEqual({ type: "object", properties: { a: { type: "string" } } });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
  });
});
