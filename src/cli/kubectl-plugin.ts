// `kubectl avddr …`: the on-call commands as a kubectl plugin (the `kubectl-avddr` executable on
// PATH). Its flags follow kubectl's: --kubeconfig, --context, -n/--namespace, -A.
import { Command } from "commander";
import { registerFailover } from "./failover.ts";
import { runProgram, withUsageExitCodes } from "./program.ts";
import { registerReport } from "./report.ts";
import { registerStatus } from "./status.ts";
import { registerWatch } from "./watch.ts";

const program = withUsageExitCodes(
  new Command("kubectl avddr").description(
    "Azure Virtual Desktop disaster recovery: plans' readiness, failovers and their evidence",
  ),
);

registerStatus(program);
registerFailover(program);
registerWatch(program);
registerReport(program);

await runProgram(program, process.argv);
