// docs/gitops.md gives the argocd-cm keys ready to paste, for kubectl and for the Argo CD Helm
// chart: both must carry exactly the Lua files that test/gitops runs.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { argoCdConfigMapData } from "./argocd-lua.ts";

const DOC = join(import.meta.dirname, "..", "..", "docs", "gitops.md");

async function yamlBlocks(): Promise<Record<string, unknown>[]> {
  const text = await readFile(DOC, "utf8");
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(
    (m) => parse(m[1]!) as Record<string, unknown>,
  );
}

it("gives the argocd-cm patch with every health check as it is tested", async () => {
  const patch = (await yamlBlocks()).find((b) => "data" in b);
  expect(patch).toEqual({ data: await argoCdConfigMapData() });
});

it("gives the Argo CD Helm chart's configs.cm values with every health check as it is tested", async () => {
  const values = (await yamlBlocks()).find((b) => "configs" in b);
  expect(values).toEqual({ configs: { cm: await argoCdConfigMapData() } });
});
