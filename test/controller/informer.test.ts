// The informer against the real API server: it lists, watches, and survives the server ending
// its watches. (410 Gone and a dead API server: test/operator/api-server-outage.test.ts.)
import { CoreV1Api, RbacAuthorizationV1Api, type V1ConfigMap, type V1Secret } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { Informer } from "../../src/controller/informer.ts";
import { HttpListerWatcher, type ListerWatcher } from "../../src/controller/kube-http.ts";
import { credentialKeysOnly } from "../../src/reconcilers/plan-validation.ts";
import { until } from "../operator/fixtures.ts";
import { freshNamespace, serviceAccountKubeConfig, testKubeConfig } from "../support/kube.ts";

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const running: Informer<V1ConfigMap>[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()));
});

function startInformer(lw: ListerWatcher<V1ConfigMap>, timeoutSeconds = { min: 300, max: 600 }) {
  const informer = new Informer<V1ConfigMap>(lw, { watchTimeoutSeconds: timeoutSeconds });
  const seen: string[] = [];
  informer.addHandlers({
    add: (o) => seen.push(`add ${o.metadata?.name} ${o.data?.v ?? ""}`.trim()),
    update: (_, o) => seen.push(`update ${o.metadata?.name} ${o.data?.v ?? ""}`.trim()),
    delete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  running.push(informer);
  informer.start();
  return { informer, seen };
}

const cm = (name: string, v: string): V1ConfigMap => ({ metadata: { name }, data: { v } });

describe("informer", () => {
  it("lists what exists, then sees every add, update and delete", async () => {
    const namespace = await freshNamespace("informer");
    await core.createNamespacedConfigMap({ namespace, body: cm("before", "1") });
    const { informer, seen } = startInformer(
      new HttpListerWatcher(kc, { apiVersion: "v1", plural: "configmaps", namespace }),
    );
    await informer.waitForSync();
    expect(informer.store.get(`${namespace}/before`)?.data?.v).toBe("1");
    // The server sends managedFields; the cache does not keep them.
    expect(informer.store.get(`${namespace}/before`)?.metadata?.managedFields).toBeUndefined();

    await core.createNamespacedConfigMap({ namespace, body: cm("after", "1") });
    await core.replaceNamespacedConfigMap({ namespace, name: "before", body: cm("before", "2") });
    await core.deleteNamespacedConfigMap({ namespace, name: "after" });
    await until("the delete", () => seen.includes("delete after"));
    expect(seen).toEqual(["add before 1", "add after 1", "update before 2", "delete after"]);
    expect(informer.store.keys()).toEqual([`${namespace}/before`]);
  });

  it("resumes from its last resourceVersion when the server ends a watch, without a re-list", async () => {
    const namespace = await freshNamespace("informer");
    const { informer, seen } = startInformer(
      new HttpListerWatcher(kc, { apiVersion: "v1", plural: "configmaps", namespace }),
      { min: 1, max: 2 },
    );
    await informer.waitForSync();
    for (let i = 0; i < 6; i++) {
      await core.createNamespacedConfigMap({ namespace, body: cm(`cm-${i}`, "x") });
      await new Promise((r) => setTimeout(r, 700));
    }
    await until("all six adds", () => seen.length === 6);
    expect(informer.stats.watches).toBeGreaterThanOrEqual(3);
    expect(informer.stats.lists).toBe(1);
    expect(informer.stats.errors).toBe(0);
    expect(seen).toEqual(Array.from({ length: 6 }, (_, i) => `add cm-${i} x`));
  });

  it("keeps of a Secret only what a plan's credentials need", async () => {
    const namespace = await freshNamespace("informer");
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "sp" },
        data: { clientId: b64("id"), clientSecret: b64("s"), other: b64("x") },
      },
    });
    const informer = new Informer<V1Secret>(
      new HttpListerWatcher(kc, { apiVersion: "v1", plural: "secrets", namespace }),
      { transform: credentialKeysOnly },
    );
    informer.start();
    try {
      await informer.waitForSync();
      const cached = informer.store.get(`${namespace}/sp`);
      expect(Object.keys(cached?.data ?? {}).sort()).toEqual(["clientId", "clientSecret"]);
      expect(cached?.metadata?.name).toBe("sp");
    } finally {
      await informer.stop();
    }
  });

  it("keeps retrying a refused list and syncs once it is allowed", async () => {
    const namespace = await freshNamespace("informer");
    await core.createNamespacedConfigMap({ namespace, body: cm("settings", "1") });
    const asReader = await serviceAccountKubeConfig(namespace, "reader");
    const informer = new Informer<V1ConfigMap>(
      new HttpListerWatcher(asReader, { apiVersion: "v1", plural: "configmaps", namespace }),
    );
    running.push(informer);
    informer.start();
    await until("a refused list", () => informer.stats.errors >= 1);
    expect(informer.synced).toBe(false);

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: "read-configmaps" },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-configmaps" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace }],
      },
    });
    await informer.waitForSync();
    expect(informer.store.get(`${namespace}/settings`)?.data?.v).toBe("1");
  });
});
