// `avd-dr watch FAILOVER`: attach to a FailoverRequest (running or finished) and follow it with
// the live view until it ends; the exit code says how it ended.
import type { Command } from "commander";
import { avddrClient } from "./avddr-client.ts";
import { commandAction, type ExitCode, type Io, UsageError } from "./command-io.ts";
import { addFollowFlags, type FollowFlags, followSettings } from "./follow-flags.ts";
import { addKubeFlags, type KubeFlags, kubeTarget } from "./kube-flags.ts";
import { followAndReport } from "./live-view.ts";
import { exitCodeOf } from "./progress.ts";

export type WatchFlags = KubeFlags & FollowFlags;

export async function watch(name: string, flags: WatchFlags, io: Io): Promise<ExitCode> {
  const { kc, namespace } = kubeTarget(flags);
  const settings = await followSettings(flags);
  const client = avddrClient(kc);
  if (!(await client.getRequest(namespace, name)))
    throw new UsageError(
      `no FailoverRequest ${name} in namespace ${namespace}: \`kubectl get failoverrequests -n ${namespace}\` lists them`,
    );
  const done = await followAndReport(client, namespace, name, io.out, settings.clock, settings);
  return exitCodeOf(done);
}

export function registerWatch(program: Command): void {
  const command = program
    .command("watch")
    .description("follow a FailoverRequest live until it ends (exit 0 Succeeded, 1 Failed or Rejected)")
    .argument("<failover>", "FailoverRequest name");
  addFollowFlags(addKubeFlags(command)).action(
    commandAction(`${program.name()} watch`, (io, name: string, flags: WatchFlags) => watch(name, flags, io)),
  );
}
