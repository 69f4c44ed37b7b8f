// Commit: make an ASR failover final (its other recovery points are discarded); standby hosts
// have nothing to commit.
import type { FailoverScope } from "../scope.ts";
import type { StepResult } from "../step.ts";
import type { FailoverStrategy } from "../strategies/strategy.ts";

export const commit = (scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult> =>
  strategy.commit(scope);
