// Failover: the target region gets its session hosts (ASR failover, or the standby VMs started
// and opened to new sessions). Personal desktop assignments are recorded first, so that verify
// can tell they survived.
import type { FailoverScope } from "../scope.ts";
import type { StepResult } from "../step.ts";
import type { FailoverStrategy } from "../strategies/strategy.ts";

export async function failover(scope: FailoverScope, strategy: FailoverStrategy): Promise<StepResult> {
  if (scope.status.assignments === undefined && scope.request.spec.type !== "Test") {
    const inventory = await scope.inventory();
    scope.status.assignments = inventory.hosts
      .filter((h) => h.region === scope.from && h.info.assignedUser)
      .map((h) => ({ host: h.info.name, user: h.info.assignedUser! }));
  }
  return strategy.failover(scope);
}
