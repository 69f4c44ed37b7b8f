// The Kubernetes flags of the on-call commands, spelled and resolved as kubectl does, so that
// `kubectl avddr …` behaves like any kubectl command: --kubeconfig (one file) else $KUBECONFIG
// (a list, the first file's current context wins) else ~/.kube/config; --context; -n/--namespace
// else the context's namespace else "default"; -A/--all-namespaces.
import { KubeConfig } from "@kubernetes/client-node";
import type { Command } from "commander";
import { UsageError } from "./command-io.ts";

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
}

export interface KubeTarget {
  kc: KubeConfig;
  /** The namespace to act in (the one named, the context's, or "default"). */
  namespace: string;
  allNamespaces: boolean;
}

export function addKubeFlags(command: Command, options: { allNamespaces?: boolean } = {}): Command {
  command
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: its current context)")
    .option("-n, --namespace <namespace>", "namespace (default: the context's, else default)");
  if (options.allNamespaces) command.option("-A, --all-namespaces", "list across all namespaces");
  return command;
}

function load(flags: KubeFlags): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault(undefined, true);
  } catch (error) {
    const source = flags.kubeconfig
      ? `--kubeconfig ${flags.kubeconfig}`
      : `KUBECONFIG ${process.env.KUBECONFIG}`;
    throw new UsageError(
      `${source}: cannot load it (${(error as Error).message}); name a readable kubeconfig file`,
    );
  }
  return kc;
}

export function kubeTarget(flags: KubeFlags): KubeTarget {
  const kc = load(flags);
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UsageError(
        `--context ${flags.context}: no such context in the kubeconfig; it has ${known.length > 0 ? known.join(", ") : "none"}`,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return {
    kc,
    namespace: flags.namespace || contextNamespace || "default",
    allNamespaces: flags.allNamespaces ?? false,
  };
}
