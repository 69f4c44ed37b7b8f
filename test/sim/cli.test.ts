// `avd-dr sim` as a user runs it: a separate process that writes its info file and CA, which
// are all a client needs to reach it through the gateways.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type EmulatorInfo, emulatorConnection } from "../../src/azure/connection.ts";
import { createAzureGateways } from "../../src/azure/index.ts";

const root = join(import.meta.dirname, "..", "..");
let dir: string;
let child: ChildProcess;
let info: EmulatorInfo & { caFile: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "avd-dr-sim-cli-"));
  const infoFile = join(dir, "info.json");
  const args = [
    "sim",
    "--topology",
    "config/sim/standby-host-pool.yaml",
    "--info-file",
    infoFile,
    "--time-scale",
    "0.01",
  ];
  child = spawn(process.execPath, [join(root, "src", "cli", "main.ts"), ...args], {
    cwd: root,
    stdio: "ignore",
  });
  info = await vi.waitFor(async () => JSON.parse(await readFile(infoFile, "utf8")), {
    timeout: 20_000,
    interval: 100,
  });
});

afterAll(async () => {
  if (child.exitCode === null) child.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
});

describe("avd-dr sim", () => {
  it("writes an info file whose endpoints, credentials and CA let the gateways in", async () => {
    expect(info.caFile).toBe(join(dir, "sim-ca.pem"));
    const caPem = await readFile(info.caFile, "utf8");
    const { desktopVirtualization, compute } = createAzureGateways(emulatorConnection(info, caPem));
    const standby = await desktopVirtualization.listSessionHosts("rg-avd-neu", "hp-neu");
    expect(standby.map((h) => h.status)).toEqual(["Shutdown", "Shutdown", "Shutdown"]);
    const primary = await compute.listPowerStates("rg-avd-weu");
    expect(primary.every((vm) => vm.powerState === "running")).toBe(true);
    expect(await desktopVirtualization.listUserSessions("rg-avd-weu", "hp-weu")).toHaveLength(4);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
