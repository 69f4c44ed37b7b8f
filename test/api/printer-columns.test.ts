// What `kubectl get drplan` and `kubectl get failover` show: read through a Table request,
// which is how kubectl asks for printer columns.
import { describe, expect, it } from "vitest";
import { setCondition } from "../../src/api/conditions.ts";
import { freshNamespace } from "../support/kube.ts";
import { apiRequest, create, inNamespace, type Kind, loadSamples, resourcePath } from "./api-server.ts";

const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };

async function table(kind: Kind, namespace: string) {
  const { status, body } = await apiRequest("GET", resourcePath(kind, namespace), undefined, TABLE);
  expect(status).toBe(200);
  expect(body.kind).toBe("Table");
  const columns: string[] = body.columnDefinitions.map((c: { name: string }) => c.name);
  return { columns, rows: body.rows.map((r: { cells: unknown[] }) => r.cells) as unknown[][] };
}

async function writeStatus(
  kind: Kind,
  namespace: string,
  object: { metadata: { name: string } },
  status: object,
) {
  const path = resourcePath(kind, namespace, object.metadata.name, "status");
  const { status: code } = await apiRequest("PUT", path, { ...object, status });
  expect(code).toBe(200);
}

describe("printer columns", async () => {
  const samples = await loadSamples();
  const sample = (file: string) => samples.find((s) => s.file === file)!.object;

  it("show a plan's strategy, active region, Ready, Protected and worst RPO", async () => {
    const namespace = await freshNamespace("columns");
    const plan = (await create("plan", namespace, inNamespace(sample("plan-site-recovery.yaml"), namespace)))
      .body;
    let conditions = setCondition(
      [],
      { type: "Ready", status: "True", reason: "Reconciled", message: "" },
      1,
    );
    conditions = setCondition(
      conditions,
      { type: "Protected", status: "False", reason: "RpoExceeded", message: "" },
      1,
    );
    await writeStatus("plan", namespace, plan, {
      activeRegion: "Secondary",
      conditions,
      replication: { protected: 10, unhealthy: 1, worstRpo: "22m" },
    });

    const { columns, rows } = await table("plan", namespace);
    expect(columns).toEqual(["Name", "Strategy", "Active", "Ready", "Protected", "Worst RPO", "Age"]);
    expect(rows[0]?.slice(0, 6)).toEqual([
      "contoso-pooled-asr",
      "SiteRecovery",
      "Secondary",
      "True",
      "False",
      "22m",
    ]);
  });

  it("show a FailoverRequest's plan, type, phase, Ready and RTO", async () => {
    const namespace = await freshNamespace("columns");
    const failover = (
      await create("failover", namespace, inNamespace(sample("failover-planned.yaml"), namespace))
    ).body;
    await writeStatus("failover", namespace, failover, {
      phase: "Succeeded",
      rto: "12m4s",
      conditions: setCondition([], { type: "Ready", status: "True", reason: "Succeeded", message: "" }, 1),
    });

    const { columns, rows } = await table("failover", namespace);
    expect(columns).toEqual(["Name", "Plan", "Type", "Phase", "Ready", "RTO", "Age"]);
    expect(rows[0]?.slice(0, 6)).toEqual([
      "weu-to-neu-planned",
      "contoso-pooled-asr",
      "Planned",
      "Succeeded",
      "True",
      "12m4s",
    ]);
  });
});
