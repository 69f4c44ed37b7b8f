// What the posture steps of one plan's reconcile share: the plan, its gateways, the clock,
// and whether they may change Azure (not while a failover runs on the plan).
import type { AvdDisasterRecoveryPlan } from "../../api/index.ts";
import type { AzureGateways } from "../../azure/index.ts";
import type { EventInput } from "../../controller/events.ts";
import type { Log } from "../../controller/logger.ts";
import type { Clock } from "../clock.ts";

export interface PostureContext {
  plan: AvdDisasterRecoveryPlan;
  gateways: AzureGateways;
  clock: Clock;
  log: Log;
  /** An Event about the plan. */
  events: { record(event: EventInput): void };
  /** False while a failover runs: the posture observes and changes nothing. */
  acting: boolean;
  /**
   * Asks the API server again, just before Azure is changed: a failover accepted since the plan
   * was read must not have the standby VMs it starts deallocated under it.
   */
  stillActing(): Promise<boolean>;
}

/** Why the plan is not ready for a failover: a condition reason and a message naming the fix. */
export interface Problem {
  reason: string;
  message: string;
}

/** Whether the posture may change Azure now; asks the API server, so only call it with work to send. */
export async function mayAct(ctx: PostureContext): Promise<boolean> {
  if (ctx.acting && !(await ctx.stillActing())) ctx.acting = false;
  return ctx.acting;
}
