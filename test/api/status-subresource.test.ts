// Status belongs to the operator: it is written through the status subresource only, and a
// status sent with the main resource (kubectl apply of a whole object) is dropped.
import { describe, expect, it } from "vitest";
import { setCondition } from "../../src/api/conditions.ts";
import type { AvdDisasterRecoveryPlanStatus } from "../../src/api/plan.ts";
import { freshNamespace } from "../support/kube.ts";
import { apiRequest, create, inNamespace, loadSamples, resourcePath } from "./api-server.ts";

const observed: AvdDisasterRecoveryPlanStatus = {
  observedGeneration: 1,
  activeRegion: "Primary",
  conditions: setCondition([], { type: "Ready", status: "True", reason: "Reconciled", message: "" }, 1),
};

describe("status", async () => {
  const plan = (await loadSamples()).find((s) => s.file === "plan-standby-host-pool.yaml")!.object;

  it("sent on create is dropped", async () => {
    const namespace = await freshNamespace("status");
    const { status, body } = await create("plan", namespace, {
      ...inNamespace(plan, namespace),
      status: observed,
    });
    expect(status).toBe(201);
    expect(body.status).toBeUndefined();
  });

  it("sent with a main-resource update is dropped, while the spec change is kept", async () => {
    const namespace = await freshNamespace("status");
    const created = (await create("plan", namespace, inNamespace(plan, namespace))).body;
    const update = { ...created, spec: { ...created.spec, suspend: true }, status: observed };
    const { status, body } = await apiRequest(
      "PUT",
      resourcePath("plan", namespace, created.metadata.name),
      update,
    );
    expect(status).toBe(200);
    expect(body.spec.suspend).toBe(true);
    expect(body.status).toBeUndefined();
    expect(body.metadata.generation).toBe(2);
  });

  it("is written through the status subresource, which ignores spec changes and keeps the generation", async () => {
    const namespace = await freshNamespace("status");
    const created = (await create("plan", namespace, inNamespace(plan, namespace))).body;
    const update = { ...created, spec: { ...created.spec, suspend: true }, status: observed };
    const { status, body } = await apiRequest(
      "PUT",
      resourcePath("plan", namespace, created.metadata.name, "status"),
      update,
    );
    expect(status).toBe(200);
    expect(body.status).toEqual(observed);
    expect(body.spec.suspend).toBe(false);
    expect(body.metadata.generation).toBe(1);
    const read = (await apiRequest("GET", resourcePath("plan", namespace, created.metadata.name))).body;
    expect(read.status).toEqual(observed);
  });
});
