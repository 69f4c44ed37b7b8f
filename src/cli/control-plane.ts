// `avd-dr control-plane up|down --dir D`: a local kube-apiserver + etcd left running in the
// background, for tests, demos and trying the operator without a cluster.
import type { Command } from "commander";
import { startControlPlane, stopControlPlane } from "../controlplane/control-plane.ts";

export function registerControlPlane(program: Command): void {
  const controlPlane = program
    .command("control-plane")
    .description("a local Kubernetes control plane (kube-apiserver + etcd on loopback, RBAC, admin user)");

  controlPlane
    .command("up")
    .description(
      "build kube-apiserver and etcd if needed, start them in the background, print the kubeconfig path",
    )
    .requiredOption(
      "--dir <dir>",
      "directory for certificates, etcd data, logs, pid files and the kubeconfig",
    )
    .action(async (opts: { dir: string }) => {
      try {
        const started = await startControlPlane({
          dir: opts.dir,
          detached: true,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(`${started.kubeconfigPath}\n`);
      } catch (err) {
        // The message says what went wrong and what to do; a stack trace would bury it.
        process.stderr.write(`avd-dr control-plane up: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });

  controlPlane
    .command("down")
    .description("stop the control plane started with `up` in that directory")
    .requiredOption("--dir <dir>", "the directory given to `up`")
    .action(async (opts: { dir: string }) => {
      await stopControlPlane(opts.dir);
    });
}
