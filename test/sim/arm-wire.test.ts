// ARM's wire as the emulator speaks it, seen without an SDK in between: authentication,
// api-version, error bodies, pagination, long-running operations, Microsoft.Resources.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSim } from "../../src/sim/server.ts";
import { startSim } from "../../src/sim/server.ts";
import { armToken, poolPath, raw, rawList, smallTopology, sub, timeScale, vmPath } from "./fixtures.ts";

let sim: RunningSim;
let token: string;
const dvVersion = "api-version=2024-04-03";
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
const computeVersion = "api-version=2026-03-01";

beforeAll(async () => {
  // Power changes take 0.3 s here, long enough to be seen under way on a busy machine.
  const durations = { vmStart: 300, vmDeallocate: 300, vmPowerOff: 300, agentBoot: 300 };
  sim = await startSim({ topology: smallTopology({ pageSize: 2, durations }), timeScale });
  token = await armToken(sim);
});
afterAll(() => sim.close());

describe("authentication", () => {
  it("answers 401 with an ARM error and a bearer challenge when there is no token", async () => {
    const res = await raw(sim, "GET", `${vmPath("rg-weu", "vm-a")}?${computeVersion}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AuthenticationFailed");
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer authorization_uri="https:\/\/localhost:\d+\//);
  });

  it("answers 401 to a token it did not sign", async () => {
    const [head, body] = token.split(".");
    const forged = `${head}.${body}.${Buffer.from("not the signature").toString("base64url")}`;
    const res = await raw(sim, "GET", `${vmPath("rg-weu", "vm-a")}?${computeVersion}`, { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("InvalidAuthenticationToken");
  });

  it("counts refused calls by kind and status", () => {
    expect(sim.admin.calls("Microsoft.Compute/virtualMachines/read", 401)).toBeGreaterThanOrEqual(2);
  });
});

describe("api-version", () => {
  it("is required", async () => {
    const res = await raw(sim, "GET", vmPath("rg-weu", "vm-a"), { token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("MissingApiVersionParameter");
  });

  it("must be one the provider supports; the error lists them", async () => {
    const res = await raw(sim, "GET", `${vmPath("rg-weu", "vm-a")}?api-version=2099-01-01`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("NoRegisteredProviderFound");
    expect(res.body.error.message).toContain("2026-03-01");
  });
});

describe("errors", () => {
  it("404 for an unknown resource, resource group or subscription, with ARM's codes", async () => {
    const vm = await raw(sim, "GET", `${vmPath("rg-weu", "vm-nope")}?${computeVersion}`, { token });
    expect([vm.status, vm.body.error.code]).toEqual([404, "ResourceNotFound"]);
    const rg = await raw(sim, "GET", `${vmPath("rg-nope", "vm-a")}?${computeVersion}`, { token });
    expect([rg.status, rg.body.error.code]).toEqual([404, "ResourceGroupNotFound"]);
    const other = vmPath("rg-weu", "vm-a").replace(
      /subscriptions\/[^/]+/,
      "subscriptions/00000000-0000-4000-8000-000000000000",
    );
    const subscription = await raw(sim, "GET", `${other}?${computeVersion}`, { token });
    expect([subscription.status, subscription.body.error.code]).toEqual([404, "SubscriptionNotFound"]);
  });

  it("400 for a malformed body, naming what is wrong", async () => {
    const host = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-a.contoso.local?${dvVersion}`;
    const broken = await raw(sim, "PATCH", host, { token, body: "{not json" });
    expect([broken.status, broken.body.error.code]).toEqual([400, "InvalidRequestContent"]);
    const wrongType = await raw(sim, "PATCH", host, {
      token,
      body: JSON.stringify({ properties: { allowNewSession: "no" } }),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain("properties.allowNewSession");
    // Nothing was written by the refused calls.
    expect(
      sim.admin.audit({ operation: "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write" }),
    ).toEqual([]);
  });

  it("400 for an unknown $expand, 405 for a method a resource does not have", async () => {
    const expand = await raw(sim, "GET", `${vmPath("rg-weu", "vm-a")}?${computeVersion}&$expand=everything`, {
      token,
    });
    expect([expand.status, expand.body.error.code]).toEqual([400, "InvalidParameter"]);
    const put = await raw(sim, "PUT", `${vmPath("rg-weu", "vm-a")}?${computeVersion}`, { token, body: "{}" });
    expect(put.status).toBe(405);
  });
});

describe("desktop virtualization writes", () => {
  it("assigns a user to a personal host, and refuses an assigned user on a pooled host", async () => {
    const personal = `${poolPath("rg-neu", "hp-neu")}/sessionHosts/vm-y.contoso.local?${dvVersion}`;
    const assigned = await raw(sim, "PATCH", personal, {
      token,
      body: JSON.stringify({ properties: { assignedUser: "erin@contoso.com" } }),
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.properties.assignedUser).toBe("erin@contoso.com");
    expect(assigned.body.name).toBe("hp-neu/vm-y.contoso.local");
    const pooled = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-c.contoso.local?${dvVersion}`;
    const refused = await raw(sim, "PATCH", pooled, {
      token,
      body: JSON.stringify({ properties: { assignedUser: "erin@contoso.com" } }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("only personal hosts take an assigned user");
  });

  it("disconnects a user session, which stays listed as Disconnected", async () => {
    const session = `${poolPath("rg-weu", "hp-weu")}/sessionHosts/vm-b.contoso.local/userSessions/1`;
    expect((await raw(sim, "POST", `${session}/disconnect?${dvVersion}`, { token })).status).toBe(200);
    const after = await raw(sim, "GET", `${session}?${dvVersion}`, { token });
    expect(after.body.properties).toMatchObject({
      userPrincipalName: "carol@contoso.com",
      sessionState: "Disconnected",
    });
    const unknown = await raw(sim, "POST", `${session.slice(0, -1)}99/disconnect?${dvVersion}`, { token });
    expect(unknown.status).toBe(404);
  });
});

describe("pagination", () => {
  it("pages with nextLink on the emulator's own host until the list ends", async () => {
    const seen: string[] = [];
    let url: string | undefined =
      `${sub}/resourceGroups/rg-weu/providers/Microsoft.Compute/virtualMachines?${computeVersion}`;
    while (url) {
      const res = await raw(sim, "GET", url, { token });
      expect(res.status).toBe(200);
      seen.push(...res.body.value.map((v: { name: string }) => v.name));
      url = res.body.nextLink;
      if (url) expect(url.startsWith(sim.info.armEndpoint)).toBe(true);
    }
    expect(seen).toEqual(["vm-a", "vm-b", "vm-c"]);
  });
});

describe("long-running operations", () => {
  it("202 with Azure-AsyncOperation and Location; Location answers 202 then 200, never 204", async () => {
    const start = await raw(sim, "POST", `${vmPath("rg-neu", "vm-y")}/start?${computeVersion}`, { token });
    expect(start.status).toBe(202);
    const status = start.headers["azure-asyncoperation"] as string;
    const location = start.headers.location as string;
    expect(status.startsWith(sim.info.armEndpoint)).toBe(true);
    expect(location).toContain("monitor=true");

    const running = await raw(sim, "GET", status, { token });
    expect(running.body).toMatchObject({ status: "InProgress" });
    expect((await raw(sim, "GET", location, { token })).status).toBe(202);

    let done = running;
    while (done.body.status === "InProgress")
      done = await pause().then(() => raw(sim, "GET", status, { token }));
    expect(done.body).toMatchObject({ status: "Succeeded" });
    expect(Date.parse(done.body.endTime)).toBeGreaterThan(Date.parse(done.body.startTime));
    expect((await raw(sim, "GET", location, { token })).status).toBe(200);
  });

  it("powerOff stops a VM; the subscription-wide list with statusOnly shows every power state", async () => {
    const off = await raw(sim, "POST", `${vmPath("rg-weu", "vm-b")}/powerOff?${computeVersion}`, { token });
    expect(off.status).toBe(202);
    const power = async () => {
      const all = await rawList<{
        name: string;
        properties: { instanceView: { statuses: { code: string }[] } };
      }>(sim, `${sub}/providers/Microsoft.Compute/virtualMachines?${computeVersion}&statusOnly=true`, token);
      return Object.fromEntries(all.map((v) => [v.name, v.properties.instanceView.statuses[1]!.code]));
    };
    expect((await power())["vm-b"]).toBe("PowerState/stopping");
    let now = await power();
    while (now["vm-b"] === "PowerState/stopping") now = await pause().then(power);
    expect(now).toMatchObject({
      "vm-a": "PowerState/running",
      "vm-b": "PowerState/stopped",
      "vm-x": "PowerState/deallocated",
    });
  });

  it("404 for an operation it never started", async () => {
    const res = await raw(
      sim,
      "GET",
      `${sub}/providers/Microsoft.Compute/locations/westeurope/operations/nope?${computeVersion}`,
      { token },
    );
    expect(res.status).toBe(404);
  });
});

describe("Microsoft.Resources", () => {
  it("lists the resource groups and the resources of the subscription", async () => {
    const groups = await raw(sim, "GET", `${sub}/resourcegroups?api-version=2021-04-01&pageSize=10`, {
      token,
    });
    expect(groups.body.value.map((g: { name: string }) => g.name)).toEqual(["rg-weu", "rg-neu"]);
    const resources = await rawList<{ type: string; name: string }>(
      sim,
      `${sub}/resourceGroups/rg-weu/resources?api-version=2021-04-01`,
      token,
    );
    expect(resources.map((r) => `${r.type}/${r.name}`).sort()).toEqual([
      "Microsoft.Compute/virtualMachines/vm-a",
      "Microsoft.Compute/virtualMachines/vm-b",
      "Microsoft.Compute/virtualMachines/vm-c",
      "Microsoft.DesktopVirtualization/applicationgroups/ag-weu",
      "Microsoft.DesktopVirtualization/hostpools/hp-weu",
      "Microsoft.DesktopVirtualization/workspaces/ws-weu",
    ]);
  });
});

describe("admin API over HTTPS", () => {
  it("creates and ends a user session, and shows counters and the audit log", async () => {
    const created = await raw(sim, "POST", "/admin/sessions", {
      body: JSON.stringify({ hostPool: "rg-weu/hp-weu", user: "frank@contoso.com" }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user: "frank@contoso.com", state: "Active" });
    const listed = await rawList<{ properties: { userPrincipalName: string } }>(
      sim,
      `${poolPath("rg-weu", "hp-weu")}/userSessions?${dvVersion}`,
      token,
    );
    expect(listed.map((s) => s.properties.userPrincipalName)).toContain("frank@contoso.com");

    const ended = await raw(sim, "DELETE", `/admin/sessions?id=${encodeURIComponent(created.body.id)}`);
    expect(ended.status).toBe(204);
    const sessions = await raw(sim, "GET", "/admin/sessions?hostPool=rg-weu/hp-weu");
    expect(sessions.body.value.map((s: { user: string }) => s.user)).not.toContain("frank@contoso.com");

    const counters = await raw(sim, "GET", "/admin/counters");
    expect(counters.body.value).toContainEqual(
      expect.objectContaining({ kind: "Microsoft.Compute/virtualMachines/start/action", status: 202 }),
    );
    const audit = await raw(
      sim,
      "GET",
      "/admin/audit?operation=Microsoft.Compute/virtualMachines/start/action",
    );
    expect(audit.body.value).toHaveLength(1);
    expect(audit.body.value[0].target).toMatch(/virtualMachines\/vm-y$/);
  });

  it("signs a user of a personal pool in on the host assigned to them", async () => {
    await raw(sim, "POST", `${vmPath("rg-neu", "vm-x")}/start?${computeVersion}`, { token });
    const connect = () =>
      raw(sim, "POST", "/admin/sessions", {
        body: JSON.stringify({ hostPool: "rg-neu/hp-neu", user: "dave@contoso.com" }),
      });
    let res = await connect();
    while (res.status === 409) res = await pause().then(connect); // until the agent has booted
    expect(res.status).toBe(201);
    expect(res.body.sessionHost).toBe("vm-x.contoso.local");
    const stranger = await raw(sim, "POST", "/admin/sessions", {
      body: JSON.stringify({ hostPool: "rg-neu/hp-neu", user: "mallory@contoso.com" }),
    });
    expect(stranger.status).toBe(409);
  });

  it("refuses a session on a pool that does not exist, naming the field", async () => {
    const res = await raw(sim, "POST", "/admin/sessions", {
      body: JSON.stringify({ hostPool: "rg-weu/nope", user: "x@y" }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^hostPool:/);
  });

  it("resets to the topology", async () => {
    expect((await raw(sim, "POST", "/admin/reset")).status).toBe(204);
    expect(sim.admin.counters()).toEqual([]);
    expect(sim.admin.audit()).toEqual([]);
    const vm = await raw(sim, "GET", `${vmPath("rg-neu", "vm-y")}?${computeVersion}&$expand=instanceView`, {
      token,
    });
    expect(vm.body.properties.instanceView.statuses[1].code).toBe("PowerState/deallocated");
  });
});
