// Microsoft.DesktopVirtualization's lists through @azure/arm-desktopvirtualization 1.2: the
// subscription-wide lists, the query options the SDK sends ($filter, isDescending,
// initialSkip, pageSize) and how refusals look, and a session host as the spec renders it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect } from "../../src/azure/collect.ts";
import type { RunningSim } from "../../src/sim/server.ts";
import { startSim } from "../../src/sim/server.ts";
import { armToken, poolPath, raw, smallTopology, timeScale } from "./fixtures.ts";
import { sdkClients } from "./sdk-clients.ts";

let sim: RunningSim;
let sdk: ReturnType<typeof sdkClients>;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const name = (r: { name?: string }) => r.name;
const user = (s: { userPrincipalName?: string }) => s.userPrincipalName;
const reads = (what: string) => sim.admin.calls(`Microsoft.DesktopVirtualization/${what}/read`, 200);

beforeAll(async () => {
  // A RemoteApp group and a workspace in the second resource group too.
  const base = smallTopology();
  const resourceGroups = base.resourceGroups.map((rg) =>
    rg.name === "rg-neu"
      ? {
          ...rg,
          applicationGroups: [
            { name: "ag-neu-apps", hostPool: "hp-neu", applicationGroupType: "RemoteApp" as const },
          ],
          workspaces: [{ name: "ws-neu", applicationGroups: ["ag-neu-apps"] }],
        }
      : rg,
  );
  sim = await startSim({ topology: smallTopology({ resourceGroups }), timeScale });
  sdk = sdkClients(sim);
});
afterAll(() => sim.close());

/** What an SDK call threw: its HTTP status, ARM code and message. */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => expect.fail("expected a refusal"),
    (e: { statusCode?: number; code?: string; message: string }) => ({
      status: e.statusCode,
      code: e.code,
      message: e.message,
    }),
  );

describe("subscription-wide lists", () => {
  it("hostPools.list() lists the host pools of every resource group, page by page", async () => {
    const before = reads("hostpools");
    expect(await collect(sdk.desktopVirtualization.hostPools.list({ pageSize: 1 }), name)).toEqual([
      "hp-weu",
      "hp-neu",
    ]);
    expect(reads("hostpools") - before).toBe(2);
    expect(await collect(sdk.desktopVirtualization.hostPools.list({ isDescending: true }), name)).toEqual([
      "hp-neu",
      "hp-weu",
    ]);
    expect(await collect(sdk.desktopVirtualization.hostPools.list({ initialSkip: 1 }), name)).toEqual([
      "hp-neu",
    ]);
  });

  it("applicationGroups.listBySubscription() takes a $filter on applicationGroupType", async () => {
    const groups = sdk.desktopVirtualization.applicationGroups;
    expect(await collect(groups.listBySubscription(), name)).toEqual(["ag-weu", "ag-neu-apps"]);
    const desktops = groups.listBySubscription({ filter: "applicationGroupType eq 'Desktop'" });
    expect(await collect(desktops, name)).toEqual(["ag-weu"]);
    const apps = groups.listBySubscription({ filter: "applicationGroupType eq 'remoteapp'" });
    expect(await collect(apps, (g) => [g.name, g.applicationGroupType, g.hostPoolArmPath])).toEqual([
      ["ag-neu-apps", "RemoteApp", expect.stringMatching(/\/hostPools\/hp-neu$/)],
    ]);
    const inGroup = groups.listByResourceGroup("rg-weu", { filter: "applicationGroupType eq 'RemoteApp'" });
    expect(await collect(inGroup, name)).toEqual([]);
  });

  it("workspaces.listBySubscription() lists the workspaces of every resource group", async () => {
    const workspaces = await collect(sdk.desktopVirtualization.workspaces.listBySubscription(), (w) => [
      w.name,
      w.applicationGroupReferences?.length,
    ]);
    expect(workspaces).toEqual([
      ["ws-weu", 1],
      ["ws-neu", 1],
    ]);
  });

  it("refuses a $filter on a property the list cannot filter on, naming the ones it can", async () => {
    const error = await refusal(
      collect(
        sdk.desktopVirtualization.applicationGroups.listBySubscription({ filter: "friendlyName eq 'x'" }),
        name,
      ),
    );
    expect(error).toMatchObject({ status: 400, code: "InvalidParameter" });
    expect(error.message).toContain("'friendlyName' cannot be filtered on");
    expect(error.message).toContain("applicationGroupType");
  });
});

describe("user sessions of a pool with $filter", () => {
  const sessions = (filter: string) =>
    collect(sdk.desktopVirtualization.userSessions.listByHostPool("rg-weu", "hp-weu", { filter }), user);

  it("filters on userPrincipalName and sessionState, values compared without case", async () => {
    expect(await sessions("userPrincipalName eq 'alice@contoso.com'")).toEqual(["alice@contoso.com"]);
    expect(await sessions("sessionState eq 'Disconnected'")).toEqual(["bob@contoso.com"]);
    expect(await sessions("UserPrincipalName eq 'Carol@Contoso.com' and sessionstate eq 'active'")).toEqual([
      "carol@contoso.com",
    ]);
    expect(
      await sessions("sessionState eq 'Disconnected' and userPrincipalName eq 'alice@contoso.com'"),
    ).toEqual([]);
  });

  it("refuses what it cannot read with 400 InvalidParameter naming the field and the form", async () => {
    for (const filter of [
      "sessionState ne 'Active'",
      "state eq 'Active'",
      "startswith(userPrincipalName, 'a')",
      "userPrincipalName eq 'alice@contoso.com' and",
    ]) {
      const error = await refusal(sessions(filter));
      expect(error, filter).toMatchObject({ status: 400, code: "InvalidParameter" });
      expect(error.message, filter).toContain("'$filter'");
      expect(error.message, filter).toContain("on userPrincipalName or sessionState");
    }
  });
});

describe("paging options", () => {
  it("orders, skips and pages a pool's user sessions and a host's", async () => {
    const userSessions = sdk.desktopVirtualization.userSessions;
    expect(
      await collect(userSessions.listByHostPool("rg-weu", "hp-weu", { isDescending: true }), user),
    ).toEqual(["carol@contoso.com", "bob@contoso.com", "alice@contoso.com"]);
    const before = reads("hostpools/sessionhosts/usersessions");
    const skipped = userSessions.listByHostPool("rg-weu", "hp-weu", { initialSkip: 1, pageSize: 1 });
    expect(await collect(skipped, user)).toEqual(["bob@contoso.com", "carol@contoso.com"]);
    expect(reads("hostpools/sessionhosts/usersessions") - before).toBe(2);
    const onHost = userSessions.list("rg-weu", "hp-weu", "vm-a.contoso.local", { isDescending: true });
    expect(await collect(onHost, user)).toEqual(["bob@contoso.com", "alice@contoso.com"]);
  });

  it("refuses a page size or skip that is not a whole number in range, and an isDescending that is not a boolean", async () => {
    const hosts = sdk.desktopVirtualization.sessionHosts;
    const zero = await refusal(collect(hosts.list("rg-weu", "hp-weu", { pageSize: 0 }), name));
    expect(zero).toMatchObject({ status: 400, code: "InvalidParameter" });
    expect(zero.message).toContain("'pageSize'");
    const negative = await refusal(collect(hosts.list("rg-weu", "hp-weu", { initialSkip: -1 }), name));
    expect(negative.message).toContain("'initialSkip'");
    const token = await armToken(sim);
    const res = await raw(
      sim,
      "GET",
      `${poolPath("rg-weu", "hp-weu")}/sessionHosts?api-version=2024-04-03&isDescending=maybe`,
      {
        token,
      },
    );
    expect([res.status, res.body.error.code]).toEqual([400, "InvalidParameter"]);
    expect(res.body.error.message).toContain("'isDescending'");
  });
});

describe("a session host as the 2024-04-03 spec renders it", () => {
  it("carries its VM's GUID as virtualMachineId and its id as resourceId, which the SDK keeps", async () => {
    const host = await sdk.desktopVirtualization.sessionHosts.get("rg-weu", "hp-weu", "vm-a.contoso.local");
    const vm = await sdk.compute.virtualMachines.get("rg-weu", "vm-a");
    expect(host.virtualMachineId).toMatch(guid);
    expect(host.virtualMachineId).toBe(vm.vmId);
    expect(host.resourceId).toBe(vm.id);
    expect(host).toMatchObject({ status: "Available", updateState: "Succeeded", updateErrorMessage: "" });
    expect(host.sessionHostHealthCheckResults?.map((c) => c.healthCheckResult)).toEqual(
      Array(6).fill("HealthCheckSucceeded"),
    );
    expect(host.sessionHostHealthCheckResults?.[0]).toMatchObject({
      healthCheckName: "DomainJoinedCheck",
      additionalFailureDetails: { lastHealthCheckDateTime: host.lastHeartBeat },
    });
  });

  it("sends no vmId on the wire; a host whose VM is deallocated reports the shutdown in its health checks", async () => {
    const token = await armToken(sim);
    const res = await raw(
      sim,
      "GET",
      `${poolPath("rg-neu", "hp-neu")}/sessionHosts/vm-x.contoso.local?api-version=2024-04-03`,
      { token },
    );
    expect(res.body.properties).not.toHaveProperty("vmId");
    expect(res.body.properties.virtualMachineId).toMatch(guid);
    expect(res.body.properties.status).toBe("Shutdown");
    expect(
      new Set(
        res.body.properties.sessionHostHealthCheckResults.map(
          (c: { healthCheckResult: string }) => c.healthCheckResult,
        ),
      ),
    ).toEqual(new Set(["SessionHostShutdown"]));
  });
});
