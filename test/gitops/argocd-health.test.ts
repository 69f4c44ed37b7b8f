// The Argo CD health checks of both kinds, run in gopher-lua (the Lua VM Argo CD uses) on every
// object of their testdata and compared with health_test.yaml, as Argo CD's own tests do.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { argoHealth, customizations, healthTests, readObject } from "./argocd-lua.ts";

const kinds = await Promise.all(
  (await customizations()).map(async (c) => ({ ...c, tests: await healthTests(c) })),
);

it("ships a health check for each of the two kinds", () => {
  expect(kinds.map((c) => `${c.group}/${c.kind}`)).toEqual([
    "avddr.io/AvdDisasterRecoveryPlan",
    "avddr.io/FailoverRequest",
  ]);
});

describe.each(kinds)("$kind", (c) => {
  it.each(c.tests)("$inputPath is $healthStatus.status", async ({ healthStatus, inputPath }) => {
    const obj = await readObject(join(c.dir, inputPath));
    expect(await argoHealth(join(c.dir, "health.lua"), obj)).toEqual(healthStatus);
  });

  it("has a case in health_test.yaml for every testdata object", async () => {
    const listed = c.tests.map((t) => t.inputPath).sort();
    const files = (await readdir(join(c.dir, "testdata"))).map((f) => `testdata/${f}`).sort();
    expect(listed).toEqual(files);
  });
});

it("shows every state an administrator can meet, for plans and for requests", () => {
  const statuses = (kind: string) => {
    const c = kinds.find((k) => k.kind === kind)!;
    return [...new Set(c.tests.map((t) => t.healthStatus.status))].sort();
  };
  expect(statuses("AvdDisasterRecoveryPlan")).toEqual(["Degraded", "Healthy", "Progressing", "Suspended"]);
  expect(statuses("FailoverRequest")).toEqual(["Degraded", "Healthy", "Progressing"]);
});

describe("the Lua sandbox", () => {
  // Argo CD runs an argocd-cm health check without Lua's string library; a script that used it
  // would fail there, so it must fail here too.
  it.each([
    ["string.format", 'return { status = string.format("%s", "Healthy") }'],
    ["a string method", 'return { status = ("Healthy"):lower() }'],
  ])("refuses %s, which Argo CD does not open", async (_, script) => {
    const dir = await mkdtemp(join(tmpdir(), "avd-dr-lua-"));
    try {
      await writeFile(join(dir, "health.lua"), script);
      await expect(argoHealth(join(dir, "health.lua"), {})).rejects.toThrow(/glua failed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads a status Argo CD does not know as Unknown", async () => {
    const dir = await mkdtemp(join(tmpdir(), "avd-dr-lua-"));
    try {
      await writeFile(join(dir, "health.lua"), 'return { status = "Fine", message = obj.metadata.name }');
      expect(await argoHealth(join(dir, "health.lua"), { metadata: { name: "contoso" } })).toEqual({
        status: "Unknown",
        message: "Lua returned an invalid health status",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
