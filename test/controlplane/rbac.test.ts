// The run's API server authorizes with RBAC: an identity can do only what it was granted.
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { expect, test } from "vitest";
import { freshNamespace, serviceAccountKubeConfig, testKubeConfig } from "../support/kube.ts";

async function statusOf(call: Promise<unknown>): Promise<number> {
  return call.then(
    () => 200,
    (err: unknown) => (err as { code?: number }).code ?? -1,
  );
}

test("the admin of the kubeconfig can list namespaces", async () => {
  const namespaces = await testKubeConfig().makeApiClient(CoreV1Api).listNamespace();
  expect(namespaces.items.map((n) => n.metadata?.name)).toContain("kube-system");
});

test("a ServiceAccount with no grants is forbidden, and gets exactly what a RoleBinding grants", async () => {
  const namespace = await freshNamespace("rbac");
  const reader = (await serviceAccountKubeConfig(namespace, "reader")).makeApiClient(CoreV1Api);

  expect(await statusOf(reader.listNamespace())).toBe(403);
  expect(await statusOf(reader.listNamespacedConfigMap({ namespace }))).toBe(403);

  const rbac = testKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: "configmap-reader" },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: "reader-reads-configmaps" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "configmap-reader" },
      subjects: [{ kind: "ServiceAccount", name: "reader", namespace }],
    },
  });
  // The authorizer sees new bindings through its informer: a moment later, not at once.
  await expect
    .poll(() => statusOf(reader.listNamespacedConfigMap({ namespace })), { timeout: 10_000 })
    .toBe(200);

  expect(await statusOf(reader.listNamespace())).toBe(403);
  expect(
    await statusOf(
      reader.createNamespacedConfigMap({ namespace, body: { metadata: { name: "not-allowed" } } }),
    ),
  ).toBe(403);
  const elsewhere = await freshNamespace("rbac-other");
  expect(await statusOf(reader.listNamespacedConfigMap({ namespace: elsewhere }))).toBe(403);
});

test("freshNamespace gives every caller a new namespace and refuses a prefix that is no DNS label", async () => {
  const [a, b] = await Promise.all([freshNamespace("twin"), freshNamespace("twin")]);
  expect(a).toMatch(/^twin-[a-z0-9]+$/);
  expect(b).not.toBe(a);
  await expect(freshNamespace("Not_A_Label")).rejects.toThrow(
    /prefix "Not_A_Label" must be a lower-case DNS label/,
  );
});
