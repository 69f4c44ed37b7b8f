// The chart's RBAC is enough in its namespaced form: with watchNamespaces, the operator runs as
// the chart's ServiceAccount with only the chart's RoleBindings in the watched namespaces (and
// its leader-election Role in the release's), validates plans, accepts a failover, and is
// never refused. (The cluster-wide form is config/rbac's, run by test/operator/rbac.test.ts.)
import type { KubernetesObject } from "@kubernetes/client-node";
import { expect, it } from "vitest";
import { getCondition } from "../../src/api/index.ts";
import { applyManifests } from "../../src/controlplane/manifests.ts";
import { avddr, failover, plan, until } from "../operator/fixtures.ts";
import { startInProcessOperator } from "../operator/harness.ts";
import { freshNamespace, serviceAccountKubeConfig, testKubeConfig } from "../support/kube.ts";
import { render, valuesFile } from "./helm.ts";

const RBAC_KINDS = new Set(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);

it("with watchNamespaces, the chart's RoleBindings let the operator do all its work there", async () => {
  const admin = testKubeConfig();
  const release = await freshNamespace("chart-rbac");
  const watched = [await freshNamespace("avd-a"), await freshNamespace("avd-b")];
  const values = await valuesFile("namespaced-rbac", { watchNamespaces: watched });
  const objects = (await render(release, [values])).filter((o) => RBAC_KINDS.has(o.kind ?? ""));
  expect(objects.map((o: KubernetesObject) => o.kind).sort()).toEqual([
    "ClusterRole",
    "Role",
    "RoleBinding",
    "RoleBinding",
    "RoleBinding",
    "ServiceAccount",
  ]);
  await applyManifests(admin, objects);
  const serviceAccount = objects.find((o) => o.kind === "ServiceAccount")?.metadata?.name ?? "";
  const op = await startInProcessOperator(await serviceAccountKubeConfig(release, serviceAccount), watched, {
    leaderElectionNamespace: release,
  });
  try {
    const k = avddr(admin);
    for (const ns of watched) await k.createPlan(ns, plan("contoso"));
    for (const ns of watched) {
      await until(`the plan in ${ns} to be reconciled`, async () => {
        const p = await k.getPlan(ns, "contoso");
        return getCondition(p.status?.conditions, "Stalled")?.status === "False" || undefined;
      });
    }
    const [first] = watched;
    await k.createRequest(first ?? "", failover("drill", "contoso"));
    await until(
      "the request to be accepted",
      async () => (await k.getRequest(first ?? "", "drill")).status?.phase === "Pending" || undefined,
    );
    expect(op.manager.leading).toBe(true);
    expect(op.lines.filter((l) => /forbidden|403/i.test(JSON.stringify(l)))).toEqual([]);
  } finally {
    await op.stop();
  }
});
