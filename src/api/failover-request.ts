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

/** An Azure action the request started, recorded before it is waited on, with its outcome once seen. */
const OperationSchema = Type.Object(
  {
    step: StringEnum(FAILOVER_PHASES, { description: "Phase that started it, e.g. FailingOver." }),
    kind: Type.String({ maxLength: 64, description: "What it is, e.g. unplannedFailover, start." }),
    id: Type.String({
      maxLength: 256,
      description: "The ASR job's name, or for a VM's power action resourceGroup/vm.",
    }),
    target: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          "What the action acts on: a protected item's name, recoveryPlans/<name>, or resourceGroup/vm.",
      }),
    ),
    startedAt: Timestamp(),
    /** Succeeded, Failed or Cancelled once the operator has seen it end. */
    result: Type.Optional(StringEnum(["Succeeded", "Failed", "Cancelled"] as const)),
    completedAt: Type.Optional(Timestamp()),
    /** Set when the operator found the action already running (after a restart) instead of sending it. */
    adopted: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FailoverOperation = Static<typeof OperationSchema>;

/** Sessions, as indices into DrainRecord.sessions, that something happened to at one instant. */
const SessionBatchSchema = Type.Object(
  {
    at: Timestamp(),
    sessions: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 100000 }),
  },
  { additionalProperties: false },
);

/**
 * What happened to each user session, kept compact so that a drain of tens of thousands of
 * sessions fits in the object: each session once in `sessions`, in the order its notice was
 * recorded; `notified` says how many of the next ones were told at which time; `loggedOff` and
 * `signedOut` refer to them by index. src/api/drain-record.ts reads and writes it.
 */
const DrainRecordSchema = Type.Object(
  {
    sessions: Type.Optional(
      Type.Array(Type.String({ maxLength: 512 }), {
        maxItems: 100000,
        description: "Each session notified, as host/sessionId/user/signInTime (base 36 seconds).",
      }),
    ),
    notified: Type.Optional(
      Type.Array(
        Type.Object(
          { at: Timestamp(), count: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 10000,
          description:
            "When the next `count` sessions were sent the notice: nobody is logged off before that plus the grace period.",
        },
      ),
    ),
    loggedOff: Type.Optional(
      Type.Array(SessionBatchSchema, { maxItems: 10000, description: "Sessions logged off, by when." }),
    ),
    signedOut: Type.Optional(
      Type.Array(SessionBatchSchema, {
        maxItems: 10000,
        description: "Notified sessions that ended by themselves (the user signed out), by when it was seen.",
      }),
    ),
    gracePeriod: Type.Optional(Type.String({ maxLength: 32, description: "The grace period in force." })),
    skipped: Type.Optional(
      Type.String({ maxLength: 1024, description: "Why the drain was cut short (an Unplanned failover)." }),
    ),
  },
  { additionalProperties: false },
);
export type DrainRecord = Static<typeof DrainRecordSchema>;

const PhaseTimeSchema = Type.Object(
  {
    phase: StringEnum(FAILOVER_PHASES),
    startTime: Timestamp(),
    completionTime: Type.Optional(Timestamp()),
  },
  { additionalProperties: false },
);
export type PhaseTime = Static<typeof PhaseTimeSchema>;

const TotalsSchema = Type.Object(
  {
    hosts: Type.Optional(Type.Integer({ minimum: 0, description: "Session hosts to drain." })),
    sessions: Type.Optional(Type.Integer({ minimum: 0, description: "User sessions found to notify." })),
    items: Type.Optional(Type.Integer({ minimum: 0, description: "ASR items (or VMs) to fail over." })),
    targetHosts: Type.Optional(Type.Integer({ minimum: 0, description: "Session hosts to verify." })),
    requiredHosts: Type.Optional(
      Type.Integer({ minimum: 0, description: "Of them, how many must be Available." }),
    ),
  },
  { additionalProperties: false },
);
export type FailoverTotals = Static<typeof TotalsSchema>;

const VerificationSchema = Type.Object(
  {
    at: Timestamp(),
    available: Type.Integer({ minimum: 0 }),
    required: Type.Integer({ minimum: 0 }),
    notAvailable: Type.Optional(
      Type.Array(
        Type.Object(
          { host: Type.String({ maxLength: 512 }), status: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        { maxItems: 100, description: "Hosts not Available, with their status (first 100)." },
      ),
    ),
  },
  { additionalProperties: false },
);

const AssignmentSchema = Type.Object(
  { host: Type.String({ maxLength: 512 }), user: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);

const PreviewSchema = Type.Object(
  {
    hostsToDrain: Type.Integer({ minimum: 0 }),
    sessionsToNotify: Type.Integer({ minimum: 0 }),
    itemsToFailOver: Type.Integer({ minimum: 0 }),
    vmsToStart: Type.Integer({ minimum: 0 }),
    recoveryPlan: Type.Optional(Type.String({ maxLength: 256 })),
    armWrites: Type.Integer({ minimum: 0, description: "ARM writes and deletes the run would send." }),
    estimatedDuration: Type.String({
      maxLength: 64,
      description: "The part of the run the operator controls: ARM's write budget and the grace period.",
    }),
    steps: Type.Array(Type.String({ maxLength: 1024 }), {
      maxItems: 20,
      description: "What would be done, in order.",
    }),
  },
  { additionalProperties: false },
);
export type FailoverPreview = Static<typeof PreviewSchema>;

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
    toRegion: Type.Optional(StringEnum(REGIONS)),
    phases: Type.Optional(
      Type.Array(PhaseTimeSchema, { maxItems: 10, description: "When each phase started and ended." }),
    ),
    totals: Type.Optional(described(TotalsSchema, "How much work each step has, for progress.")),
    counters: Type.Optional(described(CountersSchema, "Progress of each step.")),
    drain: Type.Optional(described(DrainRecordSchema, "What happened to each user session.")),
    assignments: Type.Optional(
      Type.Array(AssignmentSchema, {
        maxItems: 10000,
        description: "Personal desktop assignments recorded before the failover, checked after it.",
      }),
    ),
    verification: Type.Optional(described(VerificationSchema, "The last look at the hosts being verified.")),
    rpoAtFailover: Type.Optional(
      Type.String({ maxLength: 32, description: "Worst replication lag when the failover was sent." }),
    ),
    rpoAtFailoverSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    preview: Type.Optional(described(PreviewSchema, "What a dry run found it would do.")),
    operations: Type.Optional(
      Type.Array(OperationSchema, {
        maxItems: 30000,
        description:
          "Azure actions this request started, so that a restarted operator resumes instead of repeating them.",
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
