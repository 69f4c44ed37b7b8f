// A session host added after the start, through the admin API: it shows in the pool's list
// with its VM, as a newly registered AVD agent would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, type SimAndGateways, simWithGateways, smallTopology } from "./fixtures.ts";

let env: SimAndGateways;
beforeAll(async () => {
  const topology = smallTopology();
  topology.resourceGroups[0]!.virtualMachines!.push({ name: "vm-new" });
  env = await simWithGateways(topology);
});
afterAll(() => env.sim.close());

describe("POST /admin/sessionHosts", () => {
  it("registers a VM as a session host of a pool", async () => {
    const created = await raw(env.sim, "POST", "/admin/sessionHosts", {
      body: JSON.stringify({ hostPool: "rg-weu/hp-weu", vm: "rg-weu/vm-new" }),
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe("vm-new.contoso.local");
    const hosts = await env.desktopVirtualization.listSessionHosts("rg-weu", "hp-weu");
    const added = hosts.find((h) => h.name === "vm-new.contoso.local");
    expect(added).toMatchObject({ status: "Available", allowNewSession: true });
    expect(added?.vmResourceId).toMatch(
      /\/resourceGroups\/rg-weu\/providers\/Microsoft.Compute\/virtualMachines\/vm-new$/,
    );
  });

  it("refuses an unknown pool or VM, and a VM that is a session host already, naming the field", async () => {
    const post = (body: object) =>
      raw(env.sim, "POST", "/admin/sessionHosts", { body: JSON.stringify(body) });
    expect((await post({ hostPool: "rg-weu/nope", vm: "rg-weu/vm-a" })).body.error.message).toMatch(
      /^hostPool: no host pool/,
    );
    expect((await post({ hostPool: "rg-weu/hp-weu", vm: "rg-weu/nope" })).body.error.message).toMatch(
      /^vm: no virtual machine/,
    );
    const again = await post({ hostPool: "rg-weu/hp-weu", vm: "rg-weu/vm-a" });
    expect(again.status).toBe(409);
  });
});
