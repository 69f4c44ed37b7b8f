// Reprotect: ASR replicates back from the region now serving users to the one it left, so that
// a failback can follow.
import type { FailoverScope } from "../scope.ts";
import type { StepResult } from "../step.ts";
import type { FailoverStrategy } from "../strategies/strategy.ts";

export const reprotect = (scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult> =>
  strategy.reprotect(scope);
