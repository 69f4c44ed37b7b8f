// Admission decided from the cache alone, for the cases a live test cannot stage on demand.
import { describe, expect, it } from "vitest";
import type { FailoverPhase, FailoverRequest } from "../../src/api/index.ts";
import { admit } from "../../src/reconcilers/failover/admission.ts";
import { failover, plan } from "./fixtures.ts";

function request(name: string, created: string, phase?: FailoverPhase): FailoverRequest {
  const r = failover(name, "contoso");
  r.metadata = { name, namespace: "avd", creationTimestamp: created as unknown as Date };
  if (phase) r.status = { phase };
  return r;
}

const contoso = (active?: string) => {
  const p = plan("contoso");
  p.metadata.namespace = "avd";
  if (active) p.status = { activeFailover: { name: active, phase: "Pending" } };
  return p;
};

describe("failover admission", () => {
  it("decides requests created in the same second by name", () => {
    const b = request("b-drill", "2026-11-26T09:00:00Z");
    const a = request("a-drill", "2026-11-26T09:00:00Z");
    expect(admit(a, contoso(), [a, b])).toEqual({ decision: "accept" });
    expect(admit(b, contoso(), [a, b])).toEqual({
      decision: "wait",
      reason: "EarlierRequestPending",
      message: "FailoverRequest a-drill for plan contoso was created first and is decided first",
    });
  });

  it("lets a request follow one that finished", () => {
    const done = request("last-week", "2026-11-19T09:00:00Z", "Succeeded");
    const failed = request("yesterday", "2026-11-25T09:00:00Z", "Failed");
    const now = request("today", "2026-11-26T09:00:00Z");
    expect(admit(now, contoso("yesterday"), [done, failed, now])).toEqual({ decision: "accept" });
  });

  it("rejects a request while another runs, even one the plan's record does not name yet", () => {
    const running = request("running", "2026-11-26T08:00:00Z", "Draining");
    const late = request("late", "2026-11-26T09:00:00Z");
    const decision = admit(late, contoso(), [running, late]);
    expect(decision).toMatchObject({ decision: "reject", reason: "AnotherFailoverActive" });
    expect((decision as { message: string }).message).toContain("FailoverRequest running (phase Draining)");
  });

  it("lets a dry run neither hold the plan nor wait its turn, and refuses one while a failover runs", () => {
    const preview = request("preview", "2026-11-26T08:59:00Z", "Pending");
    preview.spec.dryRun = true;
    const real = request("real", "2026-11-26T09:00:00Z");
    expect(admit(real, contoso(), [preview, real])).toEqual({ decision: "accept" });
    const queued = request("queued", "2026-11-26T08:58:00Z");
    const second = request("second-preview", "2026-11-26T09:00:00Z");
    second.spec.dryRun = true;
    expect(admit(second, contoso(), [queued, second])).toEqual({ decision: "accept" });
    const running = request("running", "2026-11-26T08:00:00Z", "FailingOver");
    expect(admit(second, contoso("running"), [running, second])).toMatchObject({
      decision: "reject",
      reason: "AnotherFailoverActive",
    });
  });

  it("resumes the request the plan already records, after a restart between the two writes", () => {
    const mine = request("mine", "2026-11-26T09:00:00Z");
    const earlier = request("earlier", "2026-11-26T08:00:00Z");
    expect(admit(mine, contoso("mine"), [earlier, mine])).toEqual({ decision: "accept" });
  });

  it("rejects a spec this operator cannot use, naming the field", () => {
    const odd = request("odd", "2026-11-26T09:00:00Z");
    (odd.spec as { type: string }).type = "Chaos";
    expect(admit(odd, contoso(), [odd])).toEqual({
      decision: "reject",
      reason: "InvalidSpec",
      message:
        'spec.type unknown value "Chaos": use one of Planned, Unplanned, Test; the spec is immutable: delete this request and create a corrected one',
    });
  });
});
