// Runs an Argo CD health.lua as Argo CD does: in gopher-lua (glua, built from the Go module proxy)
// with the object as the global `obj`, and the returned table read as {status, message}. Like a
// health check set in argocd-cm, the script sees only the base, table and package libraries (Argo
// CD also opens a reduced os library, which our scripts do not use).
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { ensureGlua } from "../../src/controlplane/gitops-tools.ts";

const REPO = join(import.meta.dirname, "..", "..");
export const CUSTOMIZATIONS = join(REPO, "config", "argocd", "resource_customizations");

/** Health statuses Argo CD accepts from a script; anything else it shows as Unknown. */
const ARGO_HEALTH_STATUSES = ["Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing"];

export interface HealthStatus {
  status: string;
  message: string;
}

/** A Lua 5.1 string literal: printable ASCII as is, every other byte as a decimal escape (5.1 has no \u). */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, "utf8")) {
    const plain = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += plain ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** The Lua value Argo CD builds from a decoded object: maps and lists become tables, null nil. */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string") return luaString(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(", ")}}`;
  if (typeof value === "object") {
    const fields = Object.entries(value).map(([key, v]) => `[${luaString(key)}] = ${luaLiteral(v)}`);
    return `{${fields.join(", ")}}`;
  }
  throw new Error(`luaLiteral: ${typeof value} ${String(value)} has no Lua form`);
}

function driver(scriptPath: string, obj: unknown): string {
  return `
obj = ${luaLiteral(obj)}
local chunk = assert(loadfile(${luaString(scriptPath)}))
local env = {}
for name, value in pairs(_G) do env[name] = value end
for _, lib in ipairs({"string", "math", "io", "os", "debug", "channel", "coroutine"}) do env[lib] = nil end
env._G = env
setfenv(chunk, env)
local write = io.write
getmetatable("").__index = nil -- no ("text"):method() either: Argo CD opens no string library
local hs = chunk()
if type(hs) ~= "table" then error("the script returned a " .. type(hs) .. ", not a table") end
write(tostring(hs.status), "\\n", tostring(hs.message or ""))
`;
}

/** What Argo CD would show for `obj` with the health check at `scriptPath`. */
export async function argoHealth(scriptPath: string, obj: unknown): Promise<HealthStatus> {
  const glua = await ensureGlua();
  const output = await new Promise<string>((resolve, reject) => {
    execFile(glua, ["-e", driver(scriptPath, obj)], (error, stdout, stderr) => {
      if (error) reject(new Error(`glua failed on ${scriptPath}: ${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
  const newline = output.indexOf("\n");
  const status = output.slice(0, newline);
  if (!ARGO_HEALTH_STATUSES.includes(status))
    return { status: "Unknown", message: "Lua returned an invalid health status" };
  return { status, message: output.slice(newline + 1) };
}

export interface HealthTest {
  healthStatus: HealthStatus;
  inputPath: string;
}

/** A kind's directory under config/argocd/resource_customizations, e.g. "avddr.io/FailoverRequest". */
export interface Customization {
  group: string;
  kind: string;
  dir: string;
}

export async function customizations(): Promise<Customization[]> {
  const found: Customization[] = [];
  for (const group of (await readdir(CUSTOMIZATIONS)).sort())
    for (const kind of (await readdir(join(CUSTOMIZATIONS, group))).sort())
      found.push({ group, kind, dir: join(CUSTOMIZATIONS, group, kind) });
  return found;
}

/** The cases of a kind's health_test.yaml (Argo CD's format: tests[].healthStatus, inputPath). */
export async function healthTests(c: Customization): Promise<HealthTest[]> {
  const file = parse(await readFile(join(c.dir, "health_test.yaml"), "utf8")) as { tests: HealthTest[] };
  return file.tests;
}

export async function readObject(path: string): Promise<Record<string, unknown>> {
  return parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

/** The argocd-cm keys that install our health checks: `resource.customizations.health.<group>_<kind>` → script. */
export async function argoCdConfigMapData(): Promise<Record<string, string>> {
  const data: Record<string, string> = {};
  for (const c of await customizations())
    data[`resource.customizations.health.${c.group}_${c.kind}`] = await readFile(
      join(c.dir, "health.lua"),
      "utf8",
    );
  return data;
}
