// charts/avd-dr-operator as a platform team installs it: it lints, renders with the defaults
// and with a production-like values file, every object is accepted by the real API server
// (server-side dry run) and helm installs and uninstalls it there, the Deployment runs `avd-dr operator` with flags it accepts, and its
// RBAC is config/rbac's.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  AppsV1Api,
  CoreV1Api,
  type KubernetesObject,
  RbacAuthorizationV1Api,
  type V1Deployment,
  type V1ServiceAccount,
} from "@kubernetes/client-node";
import { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registerOperator } from "../../src/cli/operator.ts";
import { parseManifests } from "../../src/controlplane/manifests.ts";
import { applyYaml, freshNamespace, testKubeConfig, testKubeconfigPath } from "../support/kube.ts";
import { CHART, helm, only, render, runHelm, valuesFile, WORKLOAD_IDENTITY_VALUES } from "./helm.ts";

const REPO = join(import.meta.dirname, "..", "..");
const WATCHED = ["avd-prod", "avd-test"]; // values-workload-identity.yaml's watchNamespaces

// A cold cache builds helm from the Go module proxy first (minutes); warm, this is instant.
beforeAll(() => helm(), 20 * 60_000);

function rbacRules(file: string): unknown {
  return (parse(readFileSync(join(REPO, "config", "rbac", file), "utf8")) as { rules: unknown }).rules;
}

function deploymentOf(objects: KubernetesObject[]): V1Deployment {
  const [deployment, ...more] = only<V1Deployment>(objects, "Deployment");
  expect(more).toEqual([]);
  if (!deployment) throw new Error("the chart rendered no Deployment");
  return deployment;
}

function operatorContainer(deployment: V1Deployment) {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "operator");
  if (!container?.args) throw new Error("the Deployment has no operator container with args");
  return { ...container, args: container.args };
}

/** `avd-dr operator`'s own option definitions, parsing the Deployment's args as the CLI would. */
function parseOperatorArgs(args: string[]) {
  const program = new Command("avd-dr").exitOverride();
  registerOperator(program);
  const operator = program.commands.find((c) => c.name() === "operator");
  if (!operator) throw new Error("registerOperator registered no `operator` command");
  operator.exitOverride();
  const [subcommand, ...flags] = args;
  const { operands, unknown } = operator.parseOptions(flags);
  const given = flags.map((f) => f.split("=")[0]);
  const accepted = operator.options.map((o) => o.long);
  return { subcommand, operands, unknown, given, accepted, opts: operator.opts() };
}

async function ensureNamespaces(names: string[]): Promise<void> {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  for (const name of names) {
    await core.createNamespace({ body: { metadata: { name } } }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }
}

/** Server-side dry run of each object; the ServiceMonitor's CRD (Prometheus Operator) is not installed here. */
async function dryRun(objects: KubernetesObject[]): Promise<void> {
  const served = objects.filter((o) => o.kind !== "ServiceMonitor");
  const text = served.map((o) => JSON.stringify(o)).join("\n---\n");
  const answered = await applyYaml(text, { dryRun: true });
  expect(answered.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
    served.map((o) => `${o.kind}/${o.metadata?.name}`),
  );
}

describe("charts/avd-dr-operator", () => {
  it("passes helm lint --strict with the defaults and with the workload-identity values", async () => {
    for (const extra of [[], ["-f", WORKLOAD_IDENTITY_VALUES]]) {
      const result = await runHelm(["lint", "--strict", CHART, ...extra]);
      expect(result.stderr + result.stdout, `helm lint --strict ${extra.join(" ")}`).toContain(
        "1 chart(s) linted, 0 chart(s) failed",
      );
      expect(result.code).toBe(0);
    }
  });

  it("carries the operator's version as appVersion and the generated CRDs in crds/", async () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
    const withCrds = await runHelm(["template", "avd-dr", CHART, "--include-crds"]);
    expect(withCrds.code, withCrds.stderr).toBe(0);
    const crds = only(parseManifests(withCrds.stdout), "CustomResourceDefinition").map(
      (o) => o.metadata?.name,
    );
    expect(crds.sort()).toEqual(["avddisasterrecoveryplans.avddr.io", "failoverrequests.avddr.io"]);
  });

  it("with the defaults, renders an HA operator the API server accepts", async () => {
    const namespace = await freshNamespace("chart");
    const objects = await render(namespace);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    await dryRun(objects);

    const deployment = deploymentOf(objects);
    expect(deployment.spec?.replicas).toBe(2);
    const pod = deployment.spec?.template.spec;
    const container = operatorContainer(deployment);
    expect(container.args).toContain("--leader-elect");
    expect(container.args).toContain(`--leader-election-namespace=${namespace}`);
    expect(container.image).toBe("avd-dr-operator:0.1.0");
    // Probes on the probe port, the paths the operator serves.
    expect(container.ports?.find((p) => p.name === "probes")?.containerPort).toBe(8081);
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "probes" });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "probes" });
    // The kubelet waits longer than the operator's graceful shutdown (20 s).
    expect(container.args).toContain("--graceful-shutdown-timeout=20s");
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(20);
    // Hardened: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp.
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    // The pod itself passes the "restricted" Pod Security Standard, enforced by the API server.
    const restricted = await freshNamespace("chart-restricted");
    const label = { "pod-security.kubernetes.io/enforce": "restricted" };
    await applyYaml(
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: restricted, labels: label } }),
    );
    const podObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "operator", namespace: restricted },
      spec: pod,
    };
    await applyYaml(JSON.stringify(podObject), { dryRun: true });
    // The Lease lives in the release's namespace.
    expect(only(objects, "Role")[0]?.metadata?.namespace).toBe(namespace);
  });

  it("with workload identity and two watched namespaces, binds the rules only there", async () => {
    await ensureNamespaces(WATCHED);
    const namespace = await freshNamespace("chart-wi");
    const objects = await render(namespace, [WORKLOAD_IDENTITY_VALUES]);
    await dryRun(objects);

    const [sa] = only<V1ServiceAccount>(objects, "ServiceAccount");
    expect(sa?.metadata?.annotations).toMatchObject({
      "azure.workload.identity/client-id": "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f",
      "azure.workload.identity/tenant-id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    });
    const deployment = deploymentOf(objects);
    expect(deployment.spec?.template.metadata?.labels?.["azure.workload.identity/use"]).toBe("true");
    expect(deployment.spec?.template.spec?.serviceAccountName).toBe(sa?.metadata?.name);
    expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThan(45);

    expect(only(objects, "ClusterRoleBinding")).toEqual([]);
    const bindings = only(objects, "RoleBinding").filter(
      (b) => !b.metadata?.name?.endsWith("-leader-election"),
    );
    expect(bindings.map((b) => b.metadata?.namespace).sort()).toEqual(WATCHED);

    const { opts } = parseOperatorArgs(operatorContainer(deployment).args);
    expect(opts.namespace).toEqual(WATCHED);
    expect(opts).toMatchObject({
      logLevel: "debug",
      maxConcurrentReconciles: "8",
      gracefulShutdownTimeout: "45s",
      armEndpoint: "https://management.usgovcloudapi.net",
      authorityHost: "https://login.microsoftonline.us",
    });

    const [monitor] = only<
      KubernetesObject & { spec: { selector: { matchLabels: object }; endpoints: { port: string }[] } }
    >(objects, "ServiceMonitor");
    const [service] = only<KubernetesObject & { spec: { ports: { name: string }[] } }>(objects, "Service");
    expect(monitor?.metadata?.labels).toMatchObject({ release: "kube-prometheus-stack" });
    expect(service?.metadata?.labels).toMatchObject(monitor?.spec.selector.matchLabels ?? { missing: true });
    expect(service?.spec.ports.map((p) => p.name)).toContain(monitor?.spec.endpoints[0]?.port);
  });

  it("installs and uninstalls with helm against the real API server, leaving no cluster-wide objects", async () => {
    const namespace = await freshNamespace("chart-install");
    const kube = ["--kubeconfig", testKubeconfigPath(), "--namespace", namespace];
    const install = await runHelm(["install", namespace, CHART, ...kube]);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain(`is installed in namespace ${namespace}`); // NOTES.txt
    const apps = testKubeConfig().makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({
      name: `${namespace}-avd-dr-operator`,
      namespace,
    });
    expect(deployment.spec?.replicas).toBe(2);

    const rbac = testKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    const clusterWide = async () => {
      const labelSelector = `app.kubernetes.io/instance=${namespace}`;
      const roles = await rbac.listClusterRole({ labelSelector });
      const bindings = await rbac.listClusterRoleBinding({ labelSelector });
      return [...roles.items, ...bindings.items].map((o) => o.metadata?.name);
    };
    expect(await clusterWide()).toHaveLength(2);

    const uninstall = await runHelm(["uninstall", namespace, "--wait", ...kube]);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    expect(await clusterWide()).toEqual([]);
  });

  it.each([
    ["default values", []],
    ["workload-identity values", [WORKLOAD_IDENTITY_VALUES]],
  ])(
    "with the %s, the Deployment passes every `avd-dr operator` flag but --kubeconfig, each accepted by the CLI",
    async (_, files) => {
      const deployment = deploymentOf(await render("avd-dr-system", files));
      const { args } = operatorContainer(deployment);
      const parsed = parseOperatorArgs(args);
      expect(parsed.subcommand).toBe("operator");
      expect(parsed.unknown).toEqual([]);
      expect(parsed.operands).toEqual([]);
      expect(parsed.given.filter((f) => !parsed.accepted.includes(f))).toEqual([]);
      // A flag added to the operator and forgotten here fails this. Left out on purpose: the in-cluster
      // kubeconfig, the emulator's discovery document (never in a cluster) and --cluster-region, which is
      // passed only when clusterRegion is set (the node's region label answers otherwise).
      const omitted = parsed.accepted.filter((f) => !parsed.given.includes(f)).sort();
      const expected = ["--kubeconfig", "--emulator-info", "--cluster-region"];
      expect(omitted).toEqual((files.length ? expected : [...expected, "--namespace"]).sort());

      // The real process checks every value before it starts; it gets as far as the kubeconfig.
      const missing = join(REPO, "no-such-kubeconfig");
      const run = await promisify(execFile)(
        process.execPath,
        [join(REPO, "src", "cli", "main.ts"), ...args, `--kubeconfig=${missing}`],
        { env: { PATH: process.env.PATH ?? "" } },
      ).then(
        () => ({ stderr: "exited 0" }),
        (err: { stderr: string }) => err,
      );
      expect(run.stderr).toMatch(/^avd-dr operator: .*no-such-kubeconfig/);
    },
  );

  it("passes --cluster-region when clusterRegion is set", async () => {
    const file = await valuesFile("cluster-region", { clusterRegion: "westeurope" });
    const { args } = operatorContainer(deploymentOf(await render("avd-dr-system", [file])));
    expect(args).toContain("--cluster-region=westeurope");
  });

  it("grants exactly config/rbac's rules: the ClusterRole's and the leader-election Role's", async () => {
    const objects = await render("avd-dr-system");
    expect(only<{ rules: unknown } & KubernetesObject>(objects, "ClusterRole")[0]?.rules).toEqual(
      rbacRules("role.yaml"),
    );
    expect(only<{ rules: unknown } & KubernetesObject>(objects, "Role")[0]?.rules).toEqual(
      rbacRules("leader_election_role.yaml"),
    );
  });

  it.each([
    ["replicas: -1", { replicas: -1 }, /replicas.*minimum/s],
    ["logLevel: loud", { logLevel: "loud" }, /logLevel.*(trace|enum|one of)/s],
    ["a misspelt key", { replica: 3 }, /replica.*(additional|not allowed)/s],
    ["a duration without a unit", { syncPeriod: "10" }, /syncPeriod/],
    ["an http ARM endpoint", { azure: { armEndpoint: "http://management.azure.com" } }, /armEndpoint/],
    [
      "a client ID that is not a GUID",
      { workloadIdentity: { enabled: true, clientId: "ops-robot" } },
      /clientId/,
    ],
    [
      "workload identity without a client ID",
      { workloadIdentity: { enabled: true } },
      /workloadIdentity\.clientId: set the client ID/,
    ],
    [
      "two replicas without leader election",
      { leaderElection: { enabled: false } },
      /leaderElection\.enabled: must be true/,
    ],
    ["an upper-case watched namespace", { watchNamespaces: ["AVD"] }, /watchNamespaces/],
    ["a region display name", { clusterRegion: "West Europe" }, /clusterRegion/],
  ])("refuses %s, naming the field", async (name, values, message) => {
    const file = await valuesFile(name.replaceAll(/\W+/g, "-"), values);
    const result = await runHelm(["template", "avd-dr", CHART, "-f", file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
