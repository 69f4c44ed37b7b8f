// FailoverRequest: one failover (or failback, or test), run once, with its progress.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import { type Static, Type } from "@sinclair/typebox";
import { ConditionsSchema } from "./conditions.ts";
import { DIRECTIONS, type Direction, FAILOVER_PHASES, FAILOVER_TYPES, REGIONS } from "./enums.ts";
import type { API_VERSION, FAILOVER_KIND } from "./group.ts";
import { drainSpecSchema } from "./plan.ts";
import { described, Matching, ObservedGeneration, StringEnum, Timestamp, withRules } from "./schema-kit.ts";

export const FAILOVER_DEFAULTS = {
  direction: "ToSecondary" as Direction,
  commit: true,
  reprotect: false,
  dryRun: false,
  acknowledgeDataLoss: false,
} as const;

export const FailoverRequestSpecSchema = withRules(
  Type.Object(
    {
      planRef: Type.Object(
        {
          name: Type.String({
            minLength: 1,
            maxLength: 253,
            description: "AvdDisasterRecoveryPlan in the same namespace.",
          }),
        },
        { additionalProperties: false, description: "The plan to fail over." },
      ),
      type: StringEnum(FAILOVER_TYPES, {
        description:
          "Planned: primary is healthy, no data loss. Unplanned: primary is down, data since the last recovery point may be lost. Test: fail over copies into an isolated network, then clean up.",
      }),
      direction: Type.Optional(
        StringEnum(DIRECTIONS, {
          default: FAILOVER_DEFAULTS.direction,
          description: "ToSecondary fails over; ToPrimary fails back.",
        }),
      ),
      drain: Type.Optional(
        described(
          drainSpecSchema(false),
          "Overrides of the plan's drain policy for this run; unset fields take the plan's.",
        ),
      ),
      commit: Type.Optional(
        Type.Boolean({
          default: FAILOVER_DEFAULTS.commit,
          description: "Commit the ASR failover after verification (discards the other recovery points).",
        }),
      ),
      reprotect: Type.Optional(
        Type.Boolean({
          default: FAILOVER_DEFAULTS.reprotect,
          description: "After commit, start replication back to the region failed over from.",
        }),
      ),
      dryRun: Type.Optional(
        Type.Boolean({
          default: FAILOVER_DEFAULTS.dryRun,
          description: "Check preconditions and report what would be done, without changing Azure.",
        }),
      ),
      acknowledgeDataLoss: Type.Optional(
        Type.Boolean({
          default: FAILOVER_DEFAULTS.acknowledgeDataLoss,
          description: "Must be true for an Unplanned failover.",
        }),
      ),
      testNetworkId: Type.Optional(
        Matching(
          "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft[.]Network/virtualNetworks/[^/]+$",
          "testNetworkId must be the ARM id of a virtual network: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>",
          { maxLength: 1024, description: "Isolated virtual network for a Test failover's VMs." },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  [
    {
      rule: "self == oldSelf",
      message:
        "spec is immutable: a FailoverRequest runs once; delete it and create a new FailoverRequest to run a different failover",
    },
    {
      rule: "self.type != 'Unplanned' || self.acknowledgeDataLoss",
      message:
        "an Unplanned failover may lose data written since the last recovery point: set spec.acknowledgeDataLoss: true to confirm",
      fieldPath: ".acknowledgeDataLoss",
      reason: "FieldValueRequired",
    },
    {
      rule: "self.type == 'Test' || !has(self.testNetworkId)",
      message: "testNetworkId is only used by a Test failover: remove it or set spec.type: Test",
      fieldPath: ".testNetworkId",
      reason: "FieldValueForbidden",
    },
    {
      rule: "self.type != 'Test' || !self.reprotect",
      message: "a Test failover never reprotects: remove spec.reprotect or set it to false",
      fieldPath: ".reprotect",
      reason: "FieldValueForbidden",
    },
    {
      rule: "self.commit || !self.reprotect",
      message: "reprotect needs a committed failover: set spec.commit: true or spec.reprotect: false",
      fieldPath: ".reprotect",
      reason: "FieldValueInvalid",
    },
  ],
);
export type FailoverRequestSpec = Static<typeof FailoverRequestSpecSchema>;

const CountersSchema = Type.Object(
  {
    hostsDrained: Type.Integer({ minimum: 0 }),
    sessionsNotified: Type.Integer({ minimum: 0 }),
    sessionsLoggedOff: Type.Integer({ minimum: 0 }),
    itemsFailedOver: Type.Integer({ minimum: 0 }),
    hostsVerified: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type FailoverCounters = Static<typeof CountersSchema>;

/** An Azure action started and not yet seen to finish, recorded before waiting on it. */
const OperationSchema = Type.Object(
  {
    step: Type.String({ maxLength: 64, description: "Phase or step that started it, e.g. FailingOver." }),
    kind: Type.String({ maxLength: 64, description: "What it is, e.g. unplannedFailover, start, logOff." }),
    id: Type.String({
      maxLength: 2048,
      description: "ASR job id, polling URL or resource id to resume from.",
    }),
    target: Type.Optional(Type.String({ maxLength: 1024, description: "Resource the action acts on." })),
    startedAt: Timestamp(),
  },
  { additionalProperties: false },
);
export type FailoverOperation = Static<typeof OperationSchema>;

export const FailoverRequestStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(ObservedGeneration),
    phase: Type.Optional(
      StringEnum(FAILOVER_PHASES, { description: "Where the request is; only moves forward." }),
    ),
    conditions: Type.Optional(ConditionsSchema),
    message: Type.Optional(Type.String({ maxLength: 4096, description: "What is happening, for a person." })),
    startTime: Type.Optional(Timestamp()),
    completionTime: Type.Optional(Timestamp()),
    rto: Type.Optional(Type.String({ maxLength: 32, description: "Achieved recovery time, e.g. 12m4s." })),
    rtoSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Region that was active when the request started (so a restart knows where it came from). */
    fromRegion: Type.Optional(StringEnum(REGIONS)),
    notifiedAt: Type.Optional(Timestamp("When users were sent the drain notice.")),
    logOffAfter: Type.Optional(Timestamp("No user is logged off before this time.")),
    counters: Type.Optional(described(CountersSchema, "Progress of each step.")),
    asrJobIds: Type.Optional(
      Type.Array(Type.String({ maxLength: 2048 }), {
        maxItems: 1000,
        description: "Azure Site Recovery jobs started for this request.",
      }),
    ),
    operations: Type.Optional(
      Type.Array(OperationSchema, {
        maxItems: 5000,
        description:
          "Azure actions in flight, so that a restarted operator resumes instead of repeating them.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type FailoverRequestStatus = Static<typeof FailoverRequestStatusSchema>;

export interface FailoverRequest {
  apiVersion: typeof API_VERSION;
  kind: typeof FAILOVER_KIND;
  metadata: V1ObjectMeta;
  spec: FailoverRequestSpec;
  status?: FailoverRequestStatus;
}

/** Condition types of a FailoverRequest: kstatus ones plus one per step. */
export const FailoverConditions = {
  Ready: "Ready",
  Reconciling: "Reconciling",
  Stalled: "Stalled",
  Drained: "Drained",
  FailedOver: "FailedOver",
  Verified: "Verified",
  Committed: "Committed",
  Reprotected: "Reprotected",
  CleanedUp: "CleanedUp",
} as const;
