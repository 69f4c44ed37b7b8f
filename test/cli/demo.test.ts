// `avd-dr demo` end to end as CI runs it (no terminal): its own control plane, emulator and
// operator, the plan Ready, a planned failover and the failback told in plain lines, and nothing
// left behind; with --keep it stays up for kubectl and the CLI until Ctrl-C.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EXIT } from "../../src/cli/command-io.ts";
import { AVD_DR, KUBECTL_AVDDR, runBin } from "./support.ts";

const TOPOLOGY = join(import.meta.dirname, "..", "..", "config", "sim", "standby-host-pool.yaml");

/** The users in session in the topology's primary region, as an administrator reads them from the file. */
async function usersInSession(): Promise<string[]> {
  const topology = parse(await readFile(TOPOLOGY, "utf8")) as {
    resourceGroups: Array<{
      hostPools?: Array<{ sessionHosts: Array<{ sessions?: Array<{ user: string }> }> }>;
    }>;
  };
  return topology.resourceGroups[0]!.hostPools!.flatMap((p) =>
    p.sessionHosts.flatMap((h) => (h.sessions ?? []).map((s) => s.user)),
  );
}

const workDir = (stdout: string) => /removing (\/\S+)/.exec(stdout)?.[1];
const TIMESTAMPED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;

describe("avd-dr demo", () => {
  it("runs the whole story without a terminal: Ready, failover, each user's fate, failback; then cleans up (exit 0)", async () => {
    const result = await runBin(AVD_DR, ["demo", "--strategy", "StandbyHostPool", "--time-scale", "0.005"]);
    const out = result.stdout;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: EXIT.ok, stderr: "" });
    // Plain text for a log: no escape codes, progress as timestamped lines.
    expect(out).not.toContain("\u001b[");
    expect(out).toContain("✓ plan demo is Ready in westeurope");
    expect(out).toContain("==> Planned failover: westeurope → northeurope");
    const progress = out.split("\n").filter((l) => TIMESTAMPED.test(l) && l.includes(" | "));
    expect(progress.some((l) => l.includes(" Draining | hosts drained 3/3, sessions notified 4/4"))).toBe(
      true,
    );
    const rto =
      /✓ FailoverRequest avd-dr-demo\/demo-failover Succeeded \(Planned, Primary → Secondary\): RTO (\S+)/.exec(
        out,
      )?.[1];
    expect(rto).toBeDefined();
    expect(out).toContain(`Achieved RTO ${rto}: from the request until users could sign in to northeurope`);
    // Every user signed in at the start was told, then logged off after the 2m grace period.
    const users = await usersInSession();
    expect(users.length).toBeGreaterThan(0);
    for (const user of users) {
      const row = new RegExp(
        `^\\s+${user}\\s+\\S+\\.contoso\\.local\\s+(\\d\\d:\\d\\d:\\d\\d)\\s+(\\d\\d:\\d\\d:\\d\\d)\\s+logged off$`,
        "m",
      ).exec(out);
      expect(row, `${user} in the table of users`).not.toBeNull();
      const seconds = (t: string) => t.split(":").reduce((s, part) => s * 60 + Number(part), 0);
      expect(seconds(row![2]!) - seconds(row![1]!)).toBeGreaterThanOrEqual(120);
    }
    expect(out).toMatch(/✓ plan demo is Ready in northeurope/);
    expect(out).toMatch(
      /✓ FailoverRequest avd-dr-demo\/demo-failback Succeeded \(Planned, Secondary → Primary\): RTO \S+/,
    );
    expect(out).toContain("kubectl --kubeconfig ");
    expect(out).toContain("npx avd-dr report demo-failover ");
    const dir = workDir(out);
    expect(dir).toMatch(/avd-dr-demo-/);
    expect(existsSync(dir!)).toBe(false);
  });

  it("with --keep stays up for kubectl avddr until Ctrl-C, then stops everything and removes its files", async () => {
    let explored: Promise<{ code: number | null; stdout: string }> | undefined;
    let server: string | undefined;
    const result = await runBin(
      AVD_DR,
      ["demo", "--strategy", "StandbyHostPool", "--time-scale", "0.005", "--no-failback", "--keep"],
      {},
      (stdout, child) => {
        if (explored || !stdout.includes("press Ctrl-C")) return;
        const kubeconfig = /kubeconfig:\s+(\S+)/.exec(stdout)![1]!;
        explored = (async () => {
          server = /server: (\S+)/.exec(await readFile(kubeconfig, "utf8"))?.[1];
          const status = await runBin(KUBECTL_AVDDR, ["status", "-n", "avd-dr-demo"], {
            KUBECONFIG: kubeconfig,
          });
          child.kill("SIGINT");
          return status;
        })();
      },
    );
    const status = await explored!;
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^demo\s+StandbyHostPool\s+Secondary \(northeurope\)\s+True\s/m);
    // The story had finished well: Ctrl-C only ended the wait.
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain("✓ FailoverRequest avd-dr-demo/demo-failover Succeeded");
    expect(result.stdout).not.toContain("demo-failback");
    expect(existsSync(workDir(result.stdout)!)).toBe(false);
    // The control plane it started is gone too.
    await expect(fetch(`${server}/readyz`)).rejects.toThrow();
  });

  it("Ctrl-C in the middle of the failover stops everything it started and removes its files (exit 130)", async () => {
    let interrupted = false;
    const result = await runBin(
      AVD_DR,
      ["demo", "--strategy", "StandbyHostPool", "--time-scale", "0.05"],
      {},
      (stdout, child) => {
        if (interrupted || !stdout.includes("demo-failover created")) return;
        interrupted = true;
        child.kill("SIGINT");
      },
    );
    expect(result.code).toBe(EXIT.interrupted);
    expect(result.stdout).not.toContain("Succeeded");
    expect(existsSync(workDir(result.stdout)!)).toBe(false);
  });

  it("a bad --topology is refused before anything starts (exit 2)", async () => {
    const result = await runBin(AVD_DR, [
      "demo",
      "--strategy",
      "StandbyHostPool",
      "--topology",
      "/nonexistent/topology.yaml",
    ]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^avd-dr demo: --topology: topology \/nonexistent\/topology\.yaml: ENOENT/);
    expect(result.stdout).not.toContain("control plane");
  });

  it("a failure on the way (the operator dies) takes down everything it started (exit 1)", async () => {
    let killed: number | undefined;
    const result = await runBin(
      AVD_DR,
      ["demo", "--strategy", "StandbyHostPool", "--time-scale", "0.05"],
      {},
      (stdout) => {
        if (killed || !stdout.includes("demo-failover created")) return;
        // The operator is the demo's child whose kubeconfig is the demo's own.
        const kubeconfig = /kubeconfig (\/\S+\/control-plane\/kubeconfig)/.exec(stdout)![1]!;
        killed = Number(
          execFileSync("pgrep", ["-f", `operator --kubeconfig=${kubeconfig}`], { encoding: "utf8" }).trim(),
        );
        process.kill(killed, "SIGKILL");
      },
    );
    expect(killed).toBeGreaterThan(0);
    expect(result.code).toBe(EXIT.failed);
    expect(result.stderr).toMatch(
      /^avd-dr demo: the operator exited \(SIGKILL\); see \/\S+\/operator\.log\n$/,
    );
    expect(existsSync(workDir(result.stdout)!)).toBe(false);
  });
});
