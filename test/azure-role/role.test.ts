// config/azure/role.json against what the operator really calls: every end-to-end scenario runs
// against the emulator, each ARM request it routed is mapped to the RBAC action that authorizes
// it, and the role must grant exactly those actions — none missing, none unused.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rbacRuleOf } from "../../src/azure/rbac-actions.ts";
import { rehearsals } from "../support/rehearsal.ts";
import { recordArmCalls } from "./arm-calls.ts";
import { ROLE_SCENARIOS } from "./scenarios.ts";

const ROLE_FILE = join(import.meta.dirname, "..", "..", "config", "azure", "role.json");
// Short enough that each scenario takes seconds of real time at the emulator's time scale.
const QUICK = { drain: { gracePeriod: "30s" }, observeInterval: "30s" };

const rehearse = rehearsals();
/** RBAC action → the scenarios that needed it. */
const used = new Map<string, string[]>();
const completed: string[] = [];

describe("the operator's Azure role", () => {
  it.each(ROLE_SCENARIOS.map((s) => [s.name, s] as const))("%s", async (name, scenario) => {
    const r = await rehearse(scenario.strategy, {
      ...scenario.options,
      spec: { ...QUICK, ...scenario.options?.spec },
      operator: false,
    });
    const calls = recordArmCalls(r.sim);
    await r.startOperator();
    await scenario.run(r);

    // The recorder runs before the emulator counts a call, so it has seen at least as many of
    // each kind as the counters hold: nothing the emulator served escapes the comparison.
    for (const { kind, count } of r.sim.admin.counters())
      expect(calls.filter((c) => c.kind === kind).length, kind).toBeGreaterThanOrEqual(count);
    const unmapped = calls.filter((c) => !rbacRuleOf(c.kind, c.path)).map((c) => `${c.method} ${c.path}`);
    expect(unmapped, "ARM calls with no RBAC action in src/azure/rbac-actions.ts").toEqual([]);
    for (const c of calls) {
      const { action } = rbacRuleOf(c.kind, c.path)!;
      const by = used.get(action) ?? [];
      if (!by.includes(name)) used.set(action, [...by, name]);
    }
    completed.push(name);
  });

  it("grants every action the scenarios used, and no other", async () => {
    expect(completed, "every scenario must have run for the comparison to mean anything").toHaveLength(
      ROLE_SCENARIOS.length,
    );
    const role = JSON.parse(await readFile(ROLE_FILE, "utf8")) as { Actions: string[] };
    const granted = new Set(role.Actions);
    const missing = [...used].filter(([action]) => !granted.has(action)).map(([a, by]) => `${a} (${by[0]})`);
    const unused = [...granted].filter((action) => !used.has(action));
    expect({ missing, unused }).toEqual({ missing: [], unused: [] });
  });
});
