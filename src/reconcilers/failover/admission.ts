// Admission of a FailoverRequest, decided from the cache: the first phase of every request.
// Rules (docs/controller.md): a request for a plan that does not exist yet waits, since GitOps
// may create the plan later; a request that can never run (a spec this operator cannot use, or
// another failover already active on the plan) is Rejected; among undecided requests for one
// plan the first by creationTimestamp, then name, is decided first.
import {
  type AvdDisasterRecoveryPlan,
  type FailoverRequest,
  FailoverRequestSpecSchema,
  isTerminalPhase,
} from "../../api/index.ts";
import { checkAgainstSchema } from "../../controller/schema-check.ts";
import { creationOrder } from "../indexes.ts";

export type Admission =
  | { decision: "accept" }
  | { decision: "wait"; reason: string; message: string }
  | { decision: "reject"; reason: string; message: string; activeRequest?: string };

export type Rejection = Extract<Admission, { decision: "reject" }>;

/** The rejection of a request because `active` already holds the plan. */
export function anotherFailoverActive(
  planName: string,
  active: string,
  phase: string | undefined,
): Rejection {
  return {
    decision: "reject",
    reason: "AnotherFailoverActive",
    activeRequest: active,
    message: `plan ${planName} already has an active failover, FailoverRequest ${active}${phase ? ` (phase ${phase})` : ""}; one failover runs per plan at a time: wait for it to finish, then create a new request`,
  };
}

export const isTerminal = (r: FailoverRequest): boolean => isTerminalPhase(r.status?.phase);

/** Accepted and not finished: holds its plan. */
export const isActive = (r: FailoverRequest): boolean => r.status?.phase !== undefined && !isTerminal(r);

export const isUndecided = (r: FailoverRequest): boolean => r.status?.phase === undefined;

/**
 * Decides an undecided request. `siblings` are the cached requests for the same plan
 * (the request itself may be among them).
 */
export function admit(
  request: FailoverRequest,
  plan: AvdDisasterRecoveryPlan | undefined,
  siblings: readonly FailoverRequest[],
): Admission {
  const problems = checkAgainstSchema(FailoverRequestSpecSchema, request.spec, "spec");
  if (problems.length > 0) {
    return {
      decision: "reject",
      reason: "InvalidSpec",
      message: `${problems.map((p) => `${p.field} ${p.message}`).join("; ")}; the spec is immutable: delete this request and create a corrected one`,
    };
  }
  const planName = request.spec.planRef.name;
  const namespace = request.metadata.namespace;
  if (!plan || plan.metadata.deletionTimestamp) {
    return {
      decision: "wait",
      reason: "PlanNotFound",
      message: `waiting for AvdDisasterRecoveryPlan ${planName} in namespace ${namespace}: create it, or delete this request if spec.planRef.name is wrong`,
    };
  }
  // A dry run only reads: it neither holds the plan nor waits its turn, so it never stands in the
  // way of a real failover (an on-call engineer's preview must not get a real request rejected).
  const others = siblings.filter((s) => s.metadata.name !== request.metadata.name && !s.spec.dryRun);
  const recorded = plan.status?.activeFailover?.name;
  if (recorded === request.metadata.name) return { decision: "accept" };
  const holder =
    others.find((s) => s.metadata.name === recorded && isActive(s)) ??
    others.filter(isActive).sort(creationOrder)[0];
  if (holder) return anotherFailoverActive(planName, holder.metadata.name!, holder.status?.phase);
  if (request.spec.dryRun) return { decision: "accept" };
  const earlier = others
    .filter((s) => isUndecided(s) && !s.metadata.deletionTimestamp && creationOrder(s, request) < 0)
    .sort(creationOrder)[0];
  if (earlier) {
    return {
      decision: "wait",
      reason: "EarlierRequestPending",
      message: `FailoverRequest ${earlier.metadata.name} for plan ${planName} was created first and is decided first`,
    };
  }
  return { decision: "accept" };
}
