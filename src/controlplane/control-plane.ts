// A local Kubernetes control plane — etcd and kube-apiserver on loopback, with RBAC and an
// admin client certificate — started the way controller-runtime's envtest starts one.

import { mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { ensureBinaries } from "./binaries.ts";
import { type ControlPlanePki, generatePki } from "./pki.ts";
import {
  isRunning,
  type LaunchedProcess,
  launch,
  logPath,
  logTail,
  recordedPid,
  sleep,
  stopLaunched,
  stopRecorded,
} from "./processes.ts";

// The whole programmatic API in one module: start, stop, and where the binaries (and the
// kubectl of the same release) come from.
export { ensureBinaries, ensureKubectl } from "./binaries.ts";

export interface ControlPlane {
  kubeconfigPath: string;
  server: string;
  dir: string;
  /** Stops kube-apiserver and etcd and waits until both have exited. */
  stop(): Promise<void>;
  /** Stops only kube-apiserver (for tests of "the API server dies"). */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same certificates; resolves once ready. */
  startApiServer(): Promise<void>;
}

export interface StartOptions {
  /** Directory for certificates, etcd data, logs, pid files and the kubeconfig. */
  dir: string;
  /** Leave both processes running after this process exits (for `control-plane up`). */
  detached?: boolean;
  log?: (line: string) => void;
  /** How long to wait for the API server to become ready. */
  readyTimeoutMs?: number;
}

const ETCD = "etcd";
const APISERVER = "kube-apiserver";

/** `count` distinct free loopback ports: all held open at once, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolvePort, reject) => {
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            if (typeof address === "object" && address) resolvePort(address.port);
            else reject(new Error("listening socket without a port"));
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  return ports;
}

interface Layout {
  dir: string;
  certDir: string;
  etcdData: string;
  kubeconfig: string;
}

function layout(dir: string): Layout {
  const d = resolve(dir);
  return {
    dir: d,
    certDir: join(d, "pki"),
    etcdData: join(d, "etcd-data"),
    kubeconfig: join(d, "kubeconfig"),
  };
}

async function writePki(certDir: string, pki: ControlPlanePki): Promise<void> {
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {
    "ca.crt": pki.ca.cert,
    "apiserver.crt": pki.serving.cert,
    "apiserver.key": pki.serving.key,
    "admin.crt": pki.admin.cert,
    "admin.key": pki.admin.key,
    "sa.pub": pki.serviceAccount.publicKey,
    "sa.key": pki.serviceAccount.privateKey,
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(certDir, name), content, { mode: 0o600 });
  }
}

function kubeconfigYaml(server: string, pki: ControlPlanePki): string {
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "avd-dr", cluster: { server, "certificate-authority-data": b64(pki.ca.cert) } }],
    users: [
      {
        name: "avd-dr-admin",
        user: { "client-certificate-data": b64(pki.admin.cert), "client-key-data": b64(pki.admin.key) },
      },
    ],
    contexts: [{ name: "avd-dr", context: { cluster: "avd-dr", user: "avd-dr-admin" } }],
    "current-context": "avd-dr",
  });
}

function etcdArgs(l: Layout, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    `--data-dir=${l.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data: durability is not worth the fsync latency.
    "--unsafe-no-fsync=true",
  ];
}

function apiServerArgs(l: Layout, port: number, etcdUrl: string): string[] {
  return [
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    // No nodes, no pods: nothing needs the `kubernetes` Service's endpoints, and the endpoint
    // reconciler refuses a loopback advertise address.
    "--endpoint-reconciler-type=none",
    `--secure-port=${port}`,
    `--cert-dir=${l.certDir}`,
    `--tls-cert-file=${join(l.certDir, "apiserver.crt")}`,
    `--tls-private-key-file=${join(l.certDir, "apiserver.key")}`,
    `--client-ca-file=${join(l.certDir, "ca.crt")}`,
    "--authorization-mode=RBAC",
    `--etcd-servers=${etcdUrl}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    // No controller-manager creates the default ServiceAccount, so don't require it.
    "--disable-admission-plugins=ServiceAccount",
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${join(l.certDir, "sa.pub")}`,
    `--service-account-signing-key-file=${join(l.certDir, "sa.key")}`,
  ];
}

/** GETs `url` with the admin's client certificate; resolves with status and body. */
function adminGet(url: string, pki: { ca: string; cert: string; key: string }) {
  return new Promise<{ status: number; body: string }>((resolveGet, reject) => {
    const req = request(url, { ca: pki.ca, cert: pki.cert, key: pki.key, timeout: 2_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Polls `probe` until it returns true; fails early if the process exits, with its log tail. */
async function waitUntil(
  what: string,
  proc: LaunchedProcess,
  log: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  let exit: string | undefined;
  void proc.exited.then((e) => {
    exit = e;
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    if (exit !== undefined) {
      throw new Error(
        `${proc.name} exited (${exit}) before ${what}; last lines of ${log}:\n${await logTail(log)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${proc.name} not ${what} after ${timeoutMs} ms (${lastError}); last lines of ${log}:\n${await logTail(log)}`,
      );
    }
    await sleep(100);
  }
}

async function refuseIfRunning(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    const pid = await recordedPid(dir, name);
    if (pid !== undefined && (await isRunning(pid, name))) {
      throw new Error(
        `${name} (pid ${pid}) is already running in ${dir}; run \`avd-dr control-plane down --dir ${dir}\``,
      );
    }
  }
}

/** Builds (or finds) the binaries and starts etcd and kube-apiserver; resolves once /readyz is ok. */
export async function startControlPlane(opts: StartOptions): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const detached = opts.detached ?? false;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const l = layout(opts.dir);
  await mkdir(l.dir, { recursive: true });
  await refuseIfRunning(l.dir, [ETCD, APISERVER]);
  await rm(l.kubeconfig, { force: true }); // one from an earlier run would point at a dead server
  const binaries = await ensureBinaries({ log });

  const pki = await generatePki();
  await writePki(l.certDir, pki);
  const [etcdClientPort, etcdPeerPort, apiPort] = (await freePorts(3)) as [number, number, number];
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const server = `https://127.0.0.1:${apiPort}`;
  const admin = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };

  /** The processes this call launched; `down` from another process goes by the pid files instead. */
  const launched = new Map<string, LaunchedProcess>();
  const stopOne = async (name: string): Promise<void> => {
    const proc = launched.get(name);
    launched.delete(name);
    if (proc) await stopLaunched(l.dir, proc);
    else await stopRecorded(l.dir, name);
  };
  /** Launches one process and waits until `probe` says it serves. */
  const run = async (
    name: string,
    binary: string,
    args: string[],
    what: string,
    probe: () => Promise<boolean>,
  ) => {
    const proc = await launch(l.dir, name, binary, args, detached);
    launched.set(name, proc);
    await waitUntil(what, proc, logPath(l.dir, name), readyTimeoutMs, probe);
  };
  const startApiServer = async (): Promise<void> => {
    await refuseIfRunning(l.dir, [APISERVER]); // a second one would only lose the port race
    await run(APISERVER, binaries.kubeApiServer, apiServerArgs(l, apiPort, etcdUrl), "ready", async () => {
      const res = await adminGet(`${server}/readyz`, admin);
      return res.status === 200 && res.body.trim() === "ok";
    });
  };
  const stopApiServer = (): Promise<void> => stopOne(APISERVER);
  const stop = async (): Promise<void> => {
    await stopOne(APISERVER);
    await stopOne(ETCD);
  };

  try {
    log(`starting etcd on ${etcdUrl}`);
    await run(ETCD, binaries.etcd, etcdArgs(l, etcdClientPort, etcdPeerPort), "healthy", async () => {
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === "true";
    });
    log(`starting kube-apiserver on ${server}`);
    await startApiServer();
  } catch (err) {
    await stop();
    throw err;
  }
  await writeFile(l.kubeconfig, kubeconfigYaml(server, pki), { mode: 0o600 });
  log(`ready: ${server}, kubeconfig ${l.kubeconfig}`);
  return { kubeconfigPath: l.kubeconfig, server, dir: l.dir, stop, stopApiServer, startApiServer };
}

/** Stops the control plane whose pid files are in `dir` (for `control-plane down`). */
export async function stopControlPlane(dir: string): Promise<void> {
  const l = layout(dir);
  await stopRecorded(l.dir, APISERVER);
  await stopRecorded(l.dir, ETCD);
}
