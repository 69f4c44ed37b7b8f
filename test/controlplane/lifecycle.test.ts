// A control plane of its own (the run's shared one must not die under other tests): it
// starts, its kubeconfig works, its API server can die and come back, and it stops.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, VersionApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect, test } from "vitest";
import { KUBERNETES_VERSION } from "../../src/controlplane/binaries.ts";
import { type ControlPlane, startControlPlane } from "../../src/controlplane/control-plane.ts";
import { isRunning } from "../../src/controlplane/processes.ts";

let dir: string;
let controlPlane: ControlPlane;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "avd-dr-lifecycle-"));
  controlPlane = await startControlPlane({ dir });
});

afterAll(async () => {
  await controlPlane?.stop();
  await rm(dir, { recursive: true, force: true });
});

function admin(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  return kc;
}

async function pidOf(name: string): Promise<number> {
  return Number.parseInt(await readFile(join(dir, `${name}.pid`), "utf8"), 10);
}

test("the kubeconfig reaches the pinned Kubernetes release on loopback as an admin", async () => {
  expect(controlPlane.kubeconfigPath).toBe(join(dir, "kubeconfig"));
  expect(controlPlane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const kc = admin();
  expect(kc.getCurrentCluster()?.server).toBe(controlPlane.server);
  expect((await kc.makeApiClient(VersionApi).getCode()).gitVersion).toBe(KUBERNETES_VERSION);
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
  expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(
    expect.arrayContaining(["default", "kube-system"]),
  );
});

test("a second control plane in the same directory is refused while the first runs", async () => {
  await expect(startControlPlane({ dir })).rejects.toThrow(/already running in .*control-plane down --dir/);
});

test("the API server dies and comes back at the same address, with what etcd holds", async () => {
  const core = admin().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: "default",
    body: { metadata: { name: "survivor" }, data: { region: "westeurope" } },
  });
  const before = await pidOf("kube-apiserver");

  await controlPlane.stopApiServer();
  expect(await isRunning(before, "kube-apiserver")).toBe(false);
  await expect(core.readNamespacedConfigMap({ namespace: "default", name: "survivor" })).rejects.toThrow();
  expect(await isRunning(await pidOf("etcd"), "etcd")).toBe(true);

  await controlPlane.startApiServer();
  expect(await pidOf("kube-apiserver")).not.toBe(before);
  const back = await core.readNamespacedConfigMap({ namespace: "default", name: "survivor" });
  expect(back.data).toEqual({ region: "westeurope" });
  await expect(controlPlane.startApiServer()).rejects.toThrow(
    /kube-apiserver \(pid \d+\) is already running/,
  );
});

test("stop ends kube-apiserver and etcd and waits for them", async () => {
  const pids = { apiserver: await pidOf("kube-apiserver"), etcd: await pidOf("etcd") };
  await controlPlane.stop();
  expect(await isRunning(pids.apiserver, "kube-apiserver")).toBe(false);
  expect(await isRunning(pids.etcd, "etcd")).toBe(false);
  await expect(readFile(join(dir, "etcd.pid"))).rejects.toThrow(/ENOENT/);
});
