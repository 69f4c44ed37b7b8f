// Shared by the emulator and gateway tests: a small topology, a running emulator, gateways
// connected to it, and raw HTTPS requests for what the SDKs hide (status codes, headers).
import { request } from "node:https";
import { createCredential, emulatorConnection } from "../../src/azure/connection.ts";
import { type AzureGateways, createAzureGateways } from "../../src/azure/index.ts";
import { type RunningSim, startSim } from "../../src/sim/server.ts";
import { checkTopology, type Topology } from "../../src/sim/topology.ts";

export const ids = {
  subscription: "0f0e0d0c-0000-4000-8000-000000000001",
  tenant: "0f0e0d0c-0000-4000-8000-0000000000e1",
  client: "0f0e0d0c-0000-4000-8000-0000000000c1",
  secret: "test-secret-value",
  subject: "system:serviceaccount:avd-dr-system:avd-dr-operator",
};

/**
 * Two regions, a pooled host pool with users in session, and deallocated standby VMs.
 * Durations in simulated seconds; tests run them at a small time scale.
 */
export function smallTopology(overrides: Partial<Topology> = {}): Topology {
  return checkTopology({
    subscriptionId: ids.subscription,
    tenantId: ids.tenant,
    principals: [{ clientId: ids.client, clientSecret: ids.secret, federatedSubjects: [ids.subject] }],
    durations: { vmStart: 30, vmDeallocate: 500, vmPowerOff: 20, agentBoot: 600 },
    resourceGroups: [
      {
        name: "rg-weu",
        location: "westeurope",
        virtualMachines: [{ name: "vm-a" }, { name: "vm-b" }, { name: "vm-c" }],
        hostPools: [
          {
            name: "hp-weu",
            hostPoolType: "Pooled",
            maxSessionLimit: 5,
            sessionHosts: [
              {
                vm: "vm-a",
                sessions: [{ user: "alice@contoso.com" }, { user: "bob@contoso.com", state: "Disconnected" }],
              },
              { vm: "vm-b", sessions: [{ user: "carol@contoso.com" }] },
              { vm: "vm-c" },
            ],
          },
        ],
        applicationGroups: [{ name: "ag-weu", hostPool: "hp-weu" }],
        workspaces: [{ name: "ws-weu", applicationGroups: ["ag-weu"] }],
      },
      {
        name: "rg-neu",
        location: "northeurope",
        virtualMachines: [
          { name: "vm-x", powerState: "deallocated" },
          { name: "vm-y", powerState: "deallocated" },
        ],
        hostPools: [
          {
            name: "hp-neu",
            hostPoolType: "Personal",
            sessionHosts: [
              { vm: "vm-x", assignedUser: "dave@contoso.com" },
              { vm: "vm-y", allowNewSession: false },
            ],
          },
        ],
      },
    ],
    ...overrides,
  });
}

export const timeScale = 0.001;

export interface SimAndGateways extends AzureGateways {
  sim: RunningSim;
}

/** An emulator and gateways over the real SDK clients; close with `sim.close()`. */
export async function simWithGateways(topology: Topology = smallTopology()): Promise<SimAndGateways> {
  const sim = await startSim({ topology, timeScale });
  return { sim, ...createAzureGateways(emulatorConnection(sim.info, sim.caPem, 10)) };
}

/** A bearer token from the emulator through @azure/identity, as the gateways get one. */
export async function armToken(sim: RunningSim): Promise<string> {
  const credential = createCredential(emulatorConnection(sim.info, sim.caPem));
  const token = await credential.getToken("https://management.azure.com/.default");
  if (!token) throw new Error("no token");
  return token.token;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read ARM JSON of many shapes field by field
  body: any;
}

/** One HTTPS request to the emulator, trusting its CA; `path` may be a full URL. */
export function raw(
  sim: RunningSim,
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, sim.info.armEndpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sim.caPem,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined
            ? { "content-type": options.contentType ?? "application/json" }
            : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export const sub = `/subscriptions/${ids.subscription}`;
export const vmPath = (rg: string, vm: string) =>
  `${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`;
export const poolPath = (rg: string, pool: string) =>
  `${sub}/resourceGroups/${rg}/providers/Microsoft.DesktopVirtualization/hostPools/${pool}`;

/** Every item of an ARM list, following nextLink. */
export async function rawList<T>(sim: RunningSim, path: string, token: string): Promise<T[]> {
  const items: T[] = [];
  for (let url: string | undefined = path; url; ) {
    const res = await raw(sim, "GET", url, { token });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.value);
    url = res.body.nextLink;
  }
  return items;
}

/** A projected service-account token as AKS writes it for workload identity (unsigned here). */
export function federatedToken(subject: string, audience = "api://AzureADTokenExchange"): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: [audience], sub: subject, iss: "https://oidc.example", iat: now, exp: now + 3600 };
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2ln`;
}
