// config/rbac is enough: the operator runs as a ServiceAccount bound to exactly those rules,
// with leader election, Secrets, status, finalizers and Events, and is never refused.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { getCondition } from "../../src/api/index.ts";
import { applyManifests, parseManifests } from "../../src/controlplane/manifests.ts";
import { freshNamespace, serviceAccountKubeConfig, testKubeConfig } from "../support/kube.ts";
import { avddr, failover, plan, until } from "./fixtures.ts";
import { inProcessOperatorPerTest } from "./harness.ts";

const RBAC_DIR = join(import.meta.dirname, "..", "..", "config", "rbac");
const admin = testKubeConfig();
const operatorFor = inProcessOperatorPerTest(admin);

/** config/rbac's objects, moved from avd-dr-system into the test's namespace. */
function rbacFor(namespace: string): KubernetesObject[] {
  const files = readdirSync(RBAC_DIR).filter((f) => f.endsWith(".yaml"));
  const text = files.map((f) => readFileSync(join(RBAC_DIR, f), "utf8")).join("\n---\n");
  return parseManifests(text).map((o) => {
    const moved = JSON.parse(JSON.stringify(o).replaceAll('"avd-dr-system"', JSON.stringify(namespace)));
    // Cluster-wide bindings get a name of their own per test.
    if (moved.kind === "ClusterRoleBinding") moved.metadata.name = `avd-dr-operator-${namespace}`;
    return moved;
  });
}

describe("config/rbac", () => {
  it("grants the operator everything it does, and the manifests pass a server-side dry run", async () => {
    const namespace = await freshNamespace("rbac");
    const objects = rbacFor(namespace);
    await applyManifests(admin, objects, { dryRun: true });
    await applyManifests(admin, objects);
    const kc = await serviceAccountKubeConfig(namespace, "avd-dr-operator");
    const op = await operatorFor(namespace, { leaderElectionNamespace: namespace, as: kc });

    const k = avddr(admin);
    const withSecret = plan("contoso");
    withSecret.spec.credentials = { secretRef: { name: "sp" } };
    await k.createPlan(namespace, withSecret);
    await until("SecretNotFound", async () => {
      const p = await k.getPlan(namespace, "contoso");
      return getCondition(p.status?.conditions, "Stalled")?.reason === "SecretNotFound" || undefined;
    });
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    await admin.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "sp" },
        data: {
          tenantId: b64("contoso.onmicrosoft.com"),
          clientId: b64("0b2c6a55-1d0e-4a1f-9f59-3a0a7e2c1d11"),
          clientSecret: b64("s3cr3t"),
        },
      },
    });
    await until("the plan to be valid", async () => {
      const p = await k.getPlan(namespace, "contoso");
      return getCondition(p.status?.conditions, "Stalled")?.status === "False" || undefined;
    });
    await k.createRequest(namespace, failover("drill", "contoso"));
    await until(
      "Pending",
      async () => (await k.getRequest(namespace, "drill")).status?.phase === "Pending" || undefined,
    );
    await k.deleteRequest(namespace, "drill");
    await until("the request to be gone", () =>
      k.getRequest(namespace, "drill").then(
        () => undefined,
        () => true,
      ),
    );

    expect(op.manager.leading).toBe(true);
    const refused = op.lines.filter((l) => /forbidden|403/i.test(JSON.stringify(l)));
    expect(refused).toEqual([]);
  });
});
