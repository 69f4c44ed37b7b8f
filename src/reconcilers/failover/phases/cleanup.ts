// Clean up after a drill: ASR's test failover cleanup deletes the test VMs; standby VMs started
// for the drill are deallocated again.
import type { FailoverScope } from "../scope.ts";
import type { StepResult } from "../step.ts";
import type { FailoverStrategy } from "../strategies/strategy.ts";

export const cleanup = (scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult> =>
  strategy.cleanup(scope);
