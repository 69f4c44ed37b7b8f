// `avd-dr failover` as an on-call engineer runs it, against the real API server, the operator
// and the emulator: the preview, the confirmation, following the run to its end, and each way
// it refuses (no such plan, a failover already running, nobody to confirm, a bad flag).
import { stripVTControlCharacters as plain } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/command-io.ts";
import { type FailoverFlags, failover } from "../../src/cli/failover.ts";
import { until } from "../operator/fixtures.ts";
import { testKubeconfigPath } from "../support/kube.ts";
import { type Rehearsal, rehearsals } from "../support/rehearsal.ts";
import {
  AVD_DR,
  emulatorInfoFile,
  isReady,
  planHeldByAFailover,
  planReady,
  requestsIn,
  run,
  runBin,
  type TestIo,
  testIo,
  typeAt,
} from "./support.ts";

const rehearse = rehearsals();

function flags(r: Rehearsal, more: Partial<FailoverFlags>): FailoverFlags {
  return {
    kubeconfig: testKubeconfigPath(),
    namespace: r.namespace,
    type: "Planned",
    commit: true,
    pollInterval: "100ms",
    ...more,
  };
}

const failoverOf = (r: Rehearsal, io: TestIo, more: Partial<FailoverFlags>) =>
  run(io, () => failover(r.planName, flags(r, more), io));

/** Once the dry runs are gone, the requests the command left in the namespace. */
const requestsLeft = (r: Rehearsal, expected: number) =>
  until(
    `${expected} request(s) left`,
    async () => {
      const left = await requestsIn(r.namespace);
      return left.length === expected ? left : undefined;
    },
    20_000,
  );

describe("avd-dr failover", () => {
  it("shows what will happen, then with --yes --wait runs the failover live to Succeeded (exit 0)", async () => {
    const r = await rehearse("StandbyHostPool");
    await planReady(r);
    const io = testIo();
    const code = await failoverOf(r, io, {
      yes: true,
      wait: true,
      grace: "90s",
      emulatorInfo: await emulatorInfoFile(r),
    });
    const out = plain(io.out.text);
    expect({ code, err: io.err.text }).toEqual({ code: EXIT.ok, err: "" });
    expect(out).toContain(
      `Planned failover of plan ${r.namespace}/${r.planName} (StandbyHostPool): westeurope → northeurope\nThe operator would:\n  1. put 3 of 3 session host(s) in drain mode\n  2. send "Your desktop is moving" to 4 user session(s)\n  3. log each one off 90s after their notice`,
    );
    const [request] = await requestsLeft(r, 1);
    expect(request!.spec).toMatchObject({
      type: "Planned",
      direction: "ToSecondary",
      drain: { gracePeriod: "90s" },
    });
    expect(request!.status?.phase).toBe("Succeeded");
    expect(out).toContain(`FailoverRequest ${r.namespace}/${request!.metadata.name} created.`);
    expect(out).toMatch(/ Draining \| hosts drained 3\/3, sessions notified 4\/4/);
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      `✓ FailoverRequest ${r.namespace}/${request!.metadata.name} Succeeded (Planned, Primary → Secondary): RTO ${request!.status?.rto}`,
    );

    // Once the plan is Ready in the secondary region, the same command without --to fails back.
    await until("plan Ready in the secondary region", async () => {
      const plan = await r.k.getPlan(r.namespace, r.planName);
      return plan.status?.activeRegion === "Secondary" && isReady(plan);
    });
    const back = testIo();
    expect(await failoverOf(r, back, { yes: true, wait: true, name: "back" })).toBe(EXIT.ok);
    const failback = await r.k.getRequest(r.namespace, "back");
    expect(failback.spec.direction).toBe("ToPrimary");
    expect(plain(back.out.text)).toContain(
      `Planned failover of plan ${r.namespace}/${r.planName} (StandbyHostPool): northeurope → westeurope`,
    );
    expect(back.out.text).toContain("Succeeded (Planned, Secondary → Primary)");
  });

  it("a failover that fails ends with exit 1 and the request's message", async () => {
    // More hosts must be Available than the failover region has: verification cannot pass.
    const r = await rehearse("SharedHostPool", {
      spec: { drain: { gracePeriod: "30s" }, verify: { minAvailableHosts: 5 } },
    });
    await until(
      "plan observed",
      async () => (await r.k.getPlan(r.namespace, r.planName)).status?.activeRegion,
    );
    const io = testIo();
    expect(await failoverOf(r, io, { yes: true, wait: true, name: "too-few" })).toBe(EXIT.failed);
    const failed = await r.k.getRequest(r.namespace, "too-few");
    expect(failed.status?.phase).toBe("Failed");
    expect(io.out.text.trimEnd().split("\n").at(-1)).toBe(
      `✗ FailoverRequest ${r.namespace}/too-few Failed: ${failed.status?.message}`,
    );
  });

  it("--dry-run only shows the preview: nothing is left behind and the plan stays where it is", async () => {
    const r = await rehearse("SharedHostPool");
    await planReady(r);
    const io = testIo();
    expect(await failoverOf(r, io, { dryRun: true })).toBe(EXIT.ok);
    expect(io.out.text).toContain("The operator would:");
    expect(io.out.text.trimEnd().endsWith("Dry run: nothing was changed.")).toBe(true);
    await requestsLeft(r, 0);
    const plan = await r.k.getPlan(r.namespace, r.planName);
    expect(plan.status?.activeRegion).toBe("Primary");
    expect(plan.status?.lastFailover).toBeUndefined();
  });

  it("refuses a second failover while one runs (exit 1), naming the one that runs", async () => {
    const r = await planHeldByAFailover(rehearse);
    const io = testIo();
    expect(await failoverOf(r, io, { yes: true })).toBe(EXIT.failed);
    expect(io.err.text).toContain(`plan ${r.planName} already has an active failover, first (`);
    expect((await requestsIn(r.namespace)).map((x) => x.metadata.name)).toEqual(["first"]);
  });

  it("an Unplanned failover needs the word typed: a plain yes stops it, 'Unplanned' acknowledges the data loss", async () => {
    const r = await rehearse("StandbyHostPool");
    await planReady(r);
    const declined = testIo({ keyboard: true });
    const answered = typeAt(declined, "Type Unplanned to fail over", "yes");
    expect(await failoverOf(r, declined, { type: "Unplanned" })).toBe(EXIT.failed);
    await answered;
    expect(plain(declined.out.text)).toContain(
      "DATA LOSS: an Unplanned failover treats the source region as lost.",
    );
    expect(declined.err.text).toContain("not confirmed: nothing was changed");
    await requestsLeft(r, 0);
    // The preview's dry run never held the plan: the confirmed run can follow at once.
    expect((await r.k.getPlan(r.namespace, r.planName)).status?.activeFailover).toBeUndefined();

    const confirmed = testIo({ keyboard: true });
    const typed = typeAt(confirmed, "Type Unplanned to fail over", "Unplanned");
    expect(await failoverOf(r, confirmed, { type: "Unplanned" })).toBe(EXIT.ok);
    await typed;
    const [request] = await requestsLeft(r, 1);
    expect(request!.spec).toMatchObject({ type: "Unplanned", acknowledgeDataLoss: true });
    expect(confirmed.out.text).toContain(`FailoverRequest ${r.namespace}/${request!.metadata.name} created.`);
  });

  it("refuses without asking when nobody can confirm: exit 2, and nothing is created", async () => {
    const r = await rehearse("StandbyHostPool");
    const result = await runBin(AVD_DR, ["failover", r.planName, "--type", "Unplanned", "-n", r.namespace], {
      KUBECONFIG: testKubeconfigPath(),
    });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(
      "avd-dr failover: confirmation needed but standard input is not a terminal: pass --yes to go ahead (for Unplanned, --yes acknowledges the data loss)",
    );
    expect(await requestsIn(r.namespace)).toEqual([]);
  });

  it("bad input exits 2 with the flag named: no such plan, an unknown type, values the API server refuses, an unknown flag", async () => {
    const r = await rehearse("StandbyHostPool", { operator: false });
    const refusal = async (more: Partial<FailoverFlags>, plan = r.planName) => {
      const io = testIo();
      const code = await run(io, () => failover(plan, flags(r, { yes: true, ...more }), io));
      return { code, err: io.err.text.trim() };
    };
    expect(await refusal({}, "no-such-plan")).toEqual({
      code: EXIT.usage,
      err: `avd-dr: no AvdDisasterRecoveryPlan no-such-plan in namespace ${r.namespace}: \`avd-dr status -n ${r.namespace}\` lists the plans`,
    });
    expect(await refusal({ type: "Sideways" })).toEqual({
      code: EXIT.usage,
      err: 'avd-dr: --type must be one of Planned, Unplanned, Test, got "Sideways"',
    });
    expect(await refusal({ grace: "25h" })).toEqual({
      code: EXIT.usage,
      err: "avd-dr: --grace: drain.gracePeriod must be between 0s and 24h",
    });
    expect(
      await refusal({
        testNetwork: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
      }),
    ).toEqual({
      code: EXIT.usage,
      err: "avd-dr: --test-network: testNetworkId is only used by a Test failover: remove it or set spec.type: Test",
    });
    expect(await refusal({ to: "primary" })).toEqual({
      code: EXIT.usage,
      err: `avd-dr: --to primary: plan ${r.planName} is already active in its primary region (westeurope); fail over to the other one`,
    });
    expect(await requestsIn(r.namespace)).toEqual([]);

    const unknown = await runBin(AVD_DR, ["failover", r.planName, "--type", "Planned", "--bogus"]);
    expect({ code: unknown.code, err: unknown.stderr.split("\n")[0] }).toEqual({
      code: EXIT.usage,
      err: "error: unknown option '--bogus'",
    });
    const missing = await runBin(AVD_DR, ["failover", r.planName]);
    expect({ code: missing.code, err: missing.stderr.split("\n")[0] }).toEqual({
      code: EXIT.usage,
      err: "error: required option '--type <type>' not specified",
    });
  });
});
