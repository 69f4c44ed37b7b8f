// The table from the emulator's ARM operations to Azure RBAC actions, and the role file's shape.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RBAC_RULES, rbacRuleOf } from "../../src/azure/rbac-actions.ts";
import type { ProviderRoute } from "../../src/sim/provider.ts";
import { builtInProviders, type RunningSim, startSim } from "../../src/sim/server.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SUB = "/subscriptions/5d2a7c1e-0000-4000-8000-00000000a001";
const VAULT = `${SUB}/resourceGroups/rg-asr/providers/Microsoft.RecoveryServices/vaults/rsv`;
const POOL = `${SUB}/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp`;
const ITEMS_KIND =
  "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read";
const SESSIONS_KIND = "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/read";

describe("RBAC actions of the emulator's ARM operations", () => {
  let sim: RunningSim;
  let routes: ProviderRoute[];
  beforeAll(async () => {
    sim = await startSim({ topology: join(ROOT, "config", "sim", "site-recovery.yaml") });
    routes = builtInProviders.flatMap((p) => p.routes(sim.state));
  });
  afterAll(() => sim.close());

  /** The action of a GET the emulator routes as it would route it: parameters are one segment. */
  const actionOfGet = (path: string) => {
    const route = routes.find(
      (r) => r.method === "GET" && new RegExp(`^${r.path.replace(/\{\w+\}/g, "[^/]+")}$`, "i").test(path),
    );
    return route && rbacRuleOf(route.operation, path)?.action;
  };

  it("name an action for every route the emulator serves", () => {
    const unmapped = routes
      .filter((r) => !rbacRuleOf(r.operation, r.path.replace(/\{(\w+)\}/g, "$1")))
      .map((r) => `${r.operation} (${r.method} ${r.path})`);
    expect(unmapped).toEqual([]);
  });

  it("name each action the way Azure's provider operation lists spell one, and say where from", () => {
    for (const rule of RBAC_RULES) {
      expect(rule.action, rule.kind).toMatch(
        /^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+\/(read|write|delete|action)$/,
      );
      expect(rule.source, rule.kind).toMatch(/^learn\.microsoft\.com/);
    }
  });

  it("tell a vault-wide list of protected items from a container's, as the emulator routes them", () => {
    expect(actionOfGet(`${VAULT}/replicationProtectedItems`)).toBe(
      "Microsoft.RecoveryServices/vaults/replicationProtectedItems/read",
    );
    const inContainer = `${VAULT}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems`;
    expect(actionOfGet(inContainer)).toBe(ITEMS_KIND);
    expect(actionOfGet(`${inContainer}/vm-1`)).toBe(ITEMS_KIND);
  });

  it("tell a host pool's user sessions from a session host's", () => {
    expect(rbacRuleOf(SESSIONS_KIND, `${POOL}/userSessions`)?.action).toBe(
      "Microsoft.DesktopVirtualization/hostpools/usersessions/read",
    );
    expect(rbacRuleOf(SESSIONS_KIND, `${POOL}/sessionHosts/vm-1.contoso.com/userSessions`)?.action).toBe(
      SESSIONS_KIND,
    );
  });

  it("authorize following an action's 202 as reading the polling URLs it names", () => {
    const item = `${VAULT}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/vm-1`;
    const polls = [
      `${VAULT}/replicationOperationStatus/job-1`,
      `${item}/operationresults/job-1`,
      `${VAULT}/replicationRecoveryPlans/rp/operationresults/job-1`,
    ].map(actionOfGet);
    expect(polls).toEqual([
      "Microsoft.RecoveryServices/vaults/replicationOperationStatus/read",
      `${ITEMS_KIND.replace(/\/read$/, "")}/operationresults/read`,
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/operationresults/read",
    ]);
  });

  it("keep no rule for a kind the emulator does not serve", () => {
    const used = new Set(routes.map((r) => rbacRuleOf(r.operation, r.path.replace(/\{(\w+)\}/g, "$1"))));
    expect(RBAC_RULES.filter((rule) => !used.has(rule)).map((rule) => rule.kind)).toEqual([]);
  });

  it("know nothing of a kind the table lacks", () => {
    expect(rbacRuleOf("Microsoft.Network/virtualNetworks/read", `${SUB}/resourceGroups/rg`)).toBeUndefined();
  });
});

describe("config/azure/role.json", () => {
  it("is a custom role definition as `az role definition create` takes it, without wildcards or duplicates", async () => {
    const role = JSON.parse(await readFile(join(ROOT, "config", "azure", "role.json"), "utf8"));
    expect(Object.keys(role).sort()).toEqual(
      [
        "Actions",
        "AssignableScopes",
        "DataActions",
        "Description",
        "IsCustom",
        "Name",
        "NotActions",
        "NotDataActions",
      ].sort(),
    );
    expect(role).toMatchObject({ IsCustom: true, NotActions: [], DataActions: [], NotDataActions: [] });
    expect(role.Name).toMatch(/\S/);
    expect(role.Description).toMatch(/resource groups/);
    expect(role.Actions.filter((a: string) => a.includes("*"))).toEqual([]);
    expect(new Set(role.Actions).size).toBe(role.Actions.length);
    // Every action is one the table knows, so each has a source.
    const known = new Set(RBAC_RULES.map((r) => r.action));
    expect(role.Actions.filter((a: string) => !known.has(a))).toEqual([]);
    expect(role.AssignableScopes).toEqual([
      "/subscriptions/{subscriptionId}/resourceGroups/{primaryResourceGroup}",
      "/subscriptions/{subscriptionId}/resourceGroups/{secondaryResourceGroup}",
      "/subscriptions/{subscriptionId}/resourceGroups/{vaultResourceGroup}",
    ]);
  });
});
