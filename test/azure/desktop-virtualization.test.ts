// The desktop virtualization gateway through @azure/arm-desktopvirtualization and
// @azure/identity over HTTPS to the emulator: what an AVD administrator would check before
// and during a drain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureError } from "../../src/azure/errors.ts";
import { type SimAndGateways, simWithGateways, smallTopology } from "../sim/fixtures.ts";

let env: SimAndGateways;
beforeAll(async () => {
  env = await simWithGateways();
});
afterAll(() => env.sim.close());

describe("desktop virtualization gateway", () => {
  it("lists host pools and reads one; a missing pool is undefined, not an error", async () => {
    const pools = await env.desktopVirtualization.listHostPools("rg-weu");
    expect(pools.map((p) => [p.name, p.hostPoolType, p.maxSessionLimit])).toEqual([["hp-weu", "Pooled", 5]]);
    const personal = await env.desktopVirtualization.getHostPool("rg-neu", "hp-neu");
    expect(personal).toMatchObject({ name: "hp-neu", hostPoolType: "Personal", location: "northeurope" });
    expect(await env.desktopVirtualization.getHostPool("rg-weu", "hp-nope")).toBeUndefined();
  });

  it("lists session hosts with status, drain flag, session count, assigned user and VM ids", async () => {
    const hosts = await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu");
    expect(hosts.map((h) => [h.name, h.status, h.allowNewSession, h.sessions])).toEqual([
      ["vm-a.contoso.local", "Available", true, 2],
      ["vm-b.contoso.local", "Available", true, 1],
      ["vm-c.contoso.local", "Available", true, 0],
    ]);
    expect(hosts[0]!.vmResourceId).toMatch(
      /\/resourceGroups\/rg-weu\/providers\/Microsoft\.Compute\/virtualMachines\/vm-a$/,
    );
    // The VM's GUID, one per VM.
    expect(hosts[0]!.virtualMachineId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(new Set(hosts.map((h) => h.virtualMachineId)).size).toBe(3);
    const standby = await env.desktopVirtualization.listSessionHosts("rg-neu", "hp-neu");
    expect(standby.map((h) => [h.name, h.status, h.assignedUser])).toEqual([
      ["vm-x.contoso.local", "Shutdown", "dave@contoso.com"],
      ["vm-y.contoso.local", "Shutdown", undefined],
    ]);
  });

  it("puts a host in drain mode and back; the change is in the audit log", async () => {
    const drained = await env.desktopVirtualization.setAllowNewSession(
      "rg-weu",
      "hp-weu",
      "vm-c.contoso.local",
      false,
    );
    expect(drained.allowNewSession).toBe(false);
    const again = await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu");
    expect(again.find((h) => h.name === "vm-c.contoso.local")?.allowNewSession).toBe(false);
    await env.desktopVirtualization.setAllowNewSession("rg-weu", "hp-weu", "vm-c.contoso.local", true);
    const writes = env.sim.admin.audit({
      operation: "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write",
    });
    expect(writes.map((w) => w.details)).toEqual([{ allowNewSession: false }, { allowNewSession: true }]);
    expect(writes[0]!.target).toMatch(/hostPools\/hp-weu\/sessionHosts\/vm-c\.contoso\.local$/);
  });

  it("refuses drain mode on a host that does not exist with ARM's 404", async () => {
    const error = await env.desktopVirtualization
      .setAllowNewSession("rg-weu", "hp-weu", "nope.contoso.local", false)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureError);
    expect(error).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });

  it("tells users, then logs them off; the audit log shows the message before the log-off", async () => {
    const sessions = await env.desktopVirtualization.listUserSessions("rg-weu", "hp-weu");
    expect(sessions.map((s) => [s.sessionHost, s.userPrincipalName, s.state]).sort()).toEqual([
      ["vm-a.contoso.local", "alice@contoso.com", "Active"],
      ["vm-a.contoso.local", "bob@contoso.com", "Disconnected"],
      ["vm-b.contoso.local", "carol@contoso.com", "Active"],
    ]);
    const alice = sessions.find((s) => s.userPrincipalName === "alice@contoso.com")!;
    await env.desktopVirtualization.sendMessage(
      alice,
      "Failover",
      "Please save your work; you will be signed out.",
    );
    await env.desktopVirtualization.logOff(alice);
    // A second log-off (say, after an operator restart) finds the session gone and is fine.
    await env.desktopVirtualization.logOff(alice);

    const left = await env.desktopVirtualization.listUserSessions("rg-weu", "hp-weu");
    expect(left.map((s) => s.userPrincipalName).sort()).toEqual(["bob@contoso.com", "carol@contoso.com"]);
    const writes = env.sim.admin.audit().filter((e) => e.target === alice.id);
    expect(writes.map((w) => w.operation.split("/").slice(-2).join("/"))).toEqual([
      "sendMessage/action",
      "usersessions/delete",
    ]);
    expect(writes[0]!.details).toMatchObject({ user: "alice@contoso.com", messageTitle: "Failover" });
    expect(writes[1]!.details).toMatchObject({ force: true });
  });

  it("lists the application groups and workspaces of a resource group", async () => {
    const groups = await env.desktopVirtualization.listApplicationGroups("rg-weu");
    const workspaces = await env.desktopVirtualization.listWorkspaces("rg-weu");
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ name: "ag-weu", applicationGroupType: "Desktop" });
    expect(groups[0]!.hostPoolId).toMatch(/hostPools\/hp-weu$/);
    expect(groups[0]!.workspaceId).toBe(workspaces[0]!.id);
    expect(workspaces[0]!.applicationGroupIds).toEqual([groups[0]!.id]);
    expect(await env.desktopVirtualization.listWorkspaces("rg-neu")).toEqual([]);
  });
});

describe("desktop virtualization lists across pages", () => {
  it("follows nextLink until every session of a pool is listed", async () => {
    const paged = await simWithGateways(smallTopology({ pageSize: 2 }));
    try {
      for (let i = 0; i < 7; i++)
        paged.sim.admin.connectUser({ hostPool: "rg-weu/hp-weu", user: `user${i}@contoso.com` });
      const sessions = await paged.desktopVirtualization.listUserSessions("rg-weu", "hp-weu");
      expect(sessions).toHaveLength(10);
      expect(new Set(sessions.map((s) => s.id)).size).toBe(10);
      // 10 sessions, 2 a page: 5 calls, all for one gateway call.
      expect(
        paged.sim.admin.calls(
          "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/read",
          200,
        ),
      ).toBe(5);
    } finally {
      await paged.sim.close();
    }
  });
});
