// AvdDisasterRecoveryPlan: the desired DR posture of one AVD deployment, and what the
// operator last observed of it.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import { type Static, Type } from "@sinclair/typebox";
import { ConditionsSchema } from "./conditions.ts";
import {
  DIRECTIONS,
  FAILOVER_PHASES,
  FAILOVER_TYPES,
  LOG_OFF_POLICIES,
  type LogOffPolicy,
  REGIONS,
  STRATEGIES,
} from "./enums.ts";
import type { API_VERSION, PLAN_KIND } from "./group.ts";
import {
  Duration,
  described,
  GUID_PATTERN,
  Matching,
  ObservedGeneration,
  StringEnum,
  Timestamp,
  withRules,
} from "./schema-kit.ts";

/** Values the API server fills in when a field is left out (also the fallbacks in code). */
export const PLAN_DEFAULTS = {
  rpoTarget: "15m",
  keepStandbyDeallocated: true,
  standbyPowerOnInterval: "168h",
  suspend: false,
  enableReplication: false,
  drainTitle: "Your desktop is moving",
  drainMessage:
    "Your desktop is moving to another Azure region. Please save your work and sign out now; you can sign in again in a few minutes.",
  gracePeriod: "10m",
  logOffPolicy: "Force" as LogOffPolicy,
  verifyTimeout: "30m",
  /** Used when the plan sets neither verify.minAvailableHostsRatio nor verify.minAvailableHosts. */
  minAvailableHostsRatio: 1,
  observeInterval: "10m",
} as const;

const AZURE_NAME = "^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9_]$";

const ResourceGroupName = Matching(
  "^[-A-Za-z0-9_.()]*[-A-Za-z0-9_()]$",
  "resourceGroup must be an Azure resource group name: letters, digits, '-', '_', '.', '(' and ')', not ending in '.'",
  { minLength: 1, maxLength: 90, description: "Resource group, e.g. rg-avd-weu." },
);

const RegionSpecSchema = Type.Object(
  {
    location: Matching(
      "^[a-z][a-z0-9]*$",
      "location must be an Azure region name in lowercase without spaces, such as westeurope or eastus2",
      { minLength: 2, maxLength: 40, description: "Azure region name, e.g. westeurope." },
    ),
    resourceGroup: ResourceGroupName,
    hostPools: withRules(
      Type.Array(
        Matching(
          AZURE_NAME,
          "each hostPools entry must be a host pool name (3 to 64 letters, digits, '-', '_' or '.')",
          {
            minLength: 3,
            maxLength: 64,
          },
        ),
        {
          description: "Names of the AVD host pools in resourceGroup that this region serves.",
          maxItems: 100,
          "x-kubernetes-list-type": "set",
        },
      ),
      [{ rule: "size(self) > 0", message: "hostPools must list at least one AVD host pool name" }],
    ),
  },
  { additionalProperties: false },
);
export type RegionSpec = Static<typeof RegionSpecSchema>;

const SiteRecoverySpecSchema = Type.Object(
  {
    vaultName: Matching(
      "^[A-Za-z][-A-Za-z0-9]*$",
      "siteRecovery.vaultName must be a Recovery Services vault name: 2 to 50 letters, digits or '-', starting with a letter",
      {
        minLength: 2,
        maxLength: 50,
        description: "Recovery Services vault that replicates the session hosts.",
      },
    ),
    vaultResourceGroup: ResourceGroupName,
    recoveryPlanName: Type.Optional(
      Matching(
        "^[A-Za-z][-A-Za-z0-9_]*$",
        "siteRecovery.recoveryPlanName must be an ASR recovery plan name: letters, digits, '-' or '_', starting with a letter",
        {
          minLength: 1,
          maxLength: 64,
          description:
            "ASR recovery plan to fail over as one unit; without it every protected item is failed over.",
        },
      ),
    ),
    enableReplication: Type.Optional(
      Type.Boolean({
        default: PLAN_DEFAULTS.enableReplication,
        description:
          "Enable ASR replication for session-host VMs of the primary host pools that are not yet protected.",
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The drain policy. With `defaults` (the plan) the API server fills in every field; without
 * (a FailoverRequest's overrides) a missing field means "use the plan's value".
 */
export function drainSpecSchema(defaults: boolean) {
  const dflt = <T>(value: T) => (defaults ? { default: value } : {});
  return Type.Object(
    {
      title: Type.Optional(
        Type.String({
          ...dflt(PLAN_DEFAULTS.drainTitle),
          minLength: 1,
          maxLength: 256,
          description: "Title of the notice.",
        }),
      ),
      message: Type.Optional(
        Type.String({
          ...dflt(PLAN_DEFAULTS.drainMessage),
          minLength: 1,
          maxLength: 1024,
          description: "Notice sent to every signed-in user before the failover.",
        }),
      ),
      gracePeriod: Type.Optional(
        Duration(
          "drain.gracePeriod",
          { min: "0s", max: "24h" },
          { ...dflt(PLAN_DEFAULTS.gracePeriod), description: "Time between the notice and the log-off." },
        ),
      ),
      logOffPolicy: Type.Optional(
        StringEnum(LOG_OFF_POLICIES, {
          ...dflt(PLAN_DEFAULTS.logOffPolicy),
          description: "Force logs remaining users off after the grace period; WaitForLogOff waits for them.",
        }),
      ),
    },
    { additionalProperties: false, ...dflt({}) },
  );
}
const DrainSpecSchema = drainSpecSchema(true);
export type DrainSpec = Static<typeof DrainSpecSchema>;

const VerifySpecSchema = withRules(
  Type.Object(
    {
      minAvailableHostsRatio: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 1,
          description: "Fraction (0 to 1) of the failover region's session hosts that must report Available.",
        }),
      ),
      minAvailableHosts: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100000,
          description: "Number of session hosts that must report Available.",
        }),
      ),
      timeout: Type.Optional(
        Duration(
          "verify.timeout",
          { min: "1m", max: "24h" },
          {
            default: PLAN_DEFAULTS.verifyTimeout,
            description: "How long to wait for the hosts to become Available.",
          },
        ),
      ),
    },
    { additionalProperties: false, default: {} },
  ),
  [
    {
      rule: "!(has(self.minAvailableHostsRatio) && has(self.minAvailableHosts))",
      message: "verify: set either minAvailableHostsRatio or minAvailableHosts, not both",
    },
  ],
);
export type VerifySpec = Static<typeof VerifySpecSchema>;

export const AvdDisasterRecoveryPlanSpecSchema = withRules(
  Type.Object(
    {
      subscriptionId: Matching(
        GUID_PATTERN,
        "subscriptionId must be an Azure subscription id (a GUID such as 00000000-0000-0000-0000-000000000000)",
        { maxLength: 36, description: "Azure subscription holding both regions' resources." },
      ),
      credentials: Type.Optional(
        Type.Object(
          {
            secretRef: Type.Object(
              {
                name: Type.String({
                  minLength: 1,
                  maxLength: 253,
                  description:
                    "Secret in the plan's namespace with keys tenantId, clientId and clientSecret.",
                }),
              },
              { additionalProperties: false, description: "Secret holding the service principal." },
            ),
          },
          {
            additionalProperties: false,
            description:
              "Service principal for this plan; without it the operator's workload identity is used.",
          },
        ),
      ),
      cloud: Type.Optional(
        Type.Object(
          {
            armEndpoint: Type.Optional(
              Matching("^https://[^\\s]+$", "cloud.armEndpoint must be an https:// URL", {
                maxLength: 512,
                description: "Azure Resource Manager endpoint; default https://management.azure.com.",
              }),
            ),
            authorityHost: Type.Optional(
              Matching("^https://[^\\s]+$", "cloud.authorityHost must be an https:// URL", {
                maxLength: 512,
                description: "Entra ID authority; default https://login.microsoftonline.com.",
              }),
            ),
          },
          {
            additionalProperties: false,
            description: "Endpoints of a sovereign cloud or of the ARM emulator.",
          },
        ),
      ),
      primary: described(RegionSpecSchema, "The region users work in normally."),
      secondary: described(RegionSpecSchema, "The failover region."),
      strategy: StringEnum(STRATEGIES, { description: "How the failover region gets its session hosts." }),
      siteRecovery: Type.Optional(
        described(
          SiteRecoverySpecSchema,
          "The Azure Site Recovery vault replicating the session hosts; required for strategy SiteRecovery.",
        ),
      ),
      rpoTarget: Type.Optional(
        Duration(
          "rpoTarget",
          { min: "30s", max: "24h" },
          {
            default: PLAN_DEFAULTS.rpoTarget,
            description: "Replication lag above which the plan is no longer Protected.",
          },
        ),
      ),
      keepStandbyDeallocated: Type.Optional(
        Type.Boolean({
          default: PLAN_DEFAULTS.keepStandbyDeallocated,
          description: "Deallocate standby session hosts in the inactive region while no failover runs.",
        }),
      ),
      standbyPowerOnInterval: Type.Optional(
        Duration(
          "standbyPowerOnInterval",
          { min: "1h", max: "2160h" },
          {
            default: PLAN_DEFAULTS.standbyPowerOnInterval,
            description:
              "How often deallocated standby hosts are started briefly so their AVD registration stays valid.",
          },
        ),
      ),
      drain: Type.Optional(
        described(DrainSpecSchema, "How users are told and moved off the region being failed over from."),
      ),
      verify: Type.Optional(
        described(
          VerifySpecSchema,
          "When a failover counts as done: how many session hosts must be Available.",
        ),
      ),
      observeInterval: Type.Optional(
        Duration(
          "observeInterval",
          { min: "30s", max: "24h" },
          {
            default: PLAN_DEFAULTS.observeInterval,
            description:
              "How often a steady plan is observed in Azure again (it is also observed on every change).",
          },
        ),
      ),
      suspend: Type.Optional(
        Type.Boolean({
          default: PLAN_DEFAULTS.suspend,
          description: "Stop reconciling this plan (no Azure calls) until set back to false.",
        }),
      ),
    },
    { additionalProperties: false },
  ),
  [
    {
      rule: "self.strategy != 'SiteRecovery' || has(self.siteRecovery)",
      message:
        "strategy SiteRecovery needs spec.siteRecovery with vaultName and vaultResourceGroup of the Recovery Services vault",
      fieldPath: ".siteRecovery",
      reason: "FieldValueRequired",
    },
    {
      rule: "self.primary.location != self.secondary.location",
      message:
        "secondary.location must differ from primary.location: the failover region must be another Azure region",
      fieldPath: ".secondary.location",
    },
    {
      rule: "self.strategy != 'SharedHostPool' || self.secondary.hostPools == self.primary.hostPools",
      message:
        "strategy SharedHostPool uses one host pool for both regions: list the same names in secondary.hostPools as in primary.hostPools",
      fieldPath: ".secondary.hostPools",
    },
  ],
);
export type AvdDisasterRecoveryPlanSpec = Static<typeof AvdDisasterRecoveryPlanSpecSchema>;

const RegionStatusSchema = Type.Object(
  {
    location: Type.Optional(Type.String({ maxLength: 40 })),
    sessionHosts: Type.Integer({ minimum: 0, description: "Session hosts in this region's host pools." }),
    availableHosts: Type.Integer({ minimum: 0, description: "Session hosts reporting Available." }),
    runningVms: Type.Integer({ minimum: 0, description: "Session-host VMs powered on." }),
    drainingHosts: Type.Optional(
      Type.Integer({ minimum: 0, description: "Session hosts with new sessions disallowed." }),
    ),
    userSessions: Type.Optional(
      Type.Integer({ minimum: 0, description: "User sessions on this region's hosts." }),
    ),
  },
  { additionalProperties: false },
);
export type RegionStatus = Static<typeof RegionStatusSchema>;

const ReplicationStatusSchema = Type.Object(
  {
    protected: Type.Integer({ minimum: 0, description: "Session-host VMs replicated by ASR." }),
    unhealthy: Type.Integer({
      minimum: 0,
      description: "Replicated VMs whose replication health is not Normal.",
    }),
    unprotected: Type.Optional(
      Type.Array(Type.String({ maxLength: 256 }), {
        maxItems: 100,
        description: "Names of session-host VMs without replication (first 100).",
      }),
    ),
    unprotectedCount: Type.Optional(Type.Integer({ minimum: 0 })),
    enabling: Type.Optional(
      Type.Integer({ minimum: 0, description: "Items whose initial replication is still running." }),
    ),
    worstRpo: Type.Optional(
      Type.String({ maxLength: 32, description: "Largest replication lag, e.g. 4m30s." }),
    ),
    worstRpoSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    worstRpoItem: Type.Optional(Type.String({ maxLength: 256, description: "VM with the largest lag." })),
  },
  { additionalProperties: false },
);
export type ReplicationStatus = Static<typeof ReplicationStatusSchema>;

const StandbyRefreshSchema = Type.Object(
  {
    startedAt: Timestamp("When the standby VMs were started."),
    failedAt: Type.Optional(Timestamp("When the refresh gave up; the next one waits a while.")),
    message: Type.Optional(Type.String({ maxLength: 1024, description: "Why it failed." })),
  },
  { additionalProperties: false },
);
export type StandbyRefresh = Static<typeof StandbyRefreshSchema>;

const FailoverSummarySchema = Type.Object(
  {
    name: Type.String({ maxLength: 253, description: "FailoverRequest name." }),
    phase: StringEnum(FAILOVER_PHASES),
    type: Type.Optional(StringEnum(FAILOVER_TYPES)),
    direction: Type.Optional(StringEnum(DIRECTIONS)),
    rto: Type.Optional(Type.String({ maxLength: 32, description: "Achieved recovery time, e.g. 12m4s." })),
    startTime: Type.Optional(Timestamp()),
    completionTime: Type.Optional(Timestamp()),
  },
  { additionalProperties: false },
);
export type FailoverSummary = Static<typeof FailoverSummarySchema>;

export const AvdDisasterRecoveryPlanStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(ObservedGeneration),
    activeRegion: Type.Optional(
      StringEnum(REGIONS, { description: "Region whose session hosts serve users." }),
    ),
    conditions: Type.Optional(ConditionsSchema),
    primary: Type.Optional(
      described(RegionStatusSchema, "Session hosts and VMs observed in the primary region."),
    ),
    secondary: Type.Optional(
      described(RegionStatusSchema, "Session hosts and VMs observed in the secondary region."),
    ),
    replication: Type.Optional(
      described(ReplicationStatusSchema, "Azure Site Recovery replication of the session-host VMs."),
    ),
    lastStandbyPowerOn: Type.Optional(
      Timestamp("When standby hosts were last started to keep their registration."),
    ),
    standbyRefresh: Type.Optional(
      described(StandbyRefreshSchema, "The registration refresh running now, or the last one that failed."),
    ),
    lastObservedTime: Type.Optional(Timestamp("When the operator last read the plan's Azure resources.")),
    activeFailover: Type.Optional(described(FailoverSummarySchema, "The FailoverRequest running now.")),
    lastFailover: Type.Optional(described(FailoverSummarySchema, "The last FailoverRequest that finished.")),
  },
  { additionalProperties: false },
);
export type AvdDisasterRecoveryPlanStatus = Static<typeof AvdDisasterRecoveryPlanStatusSchema>;

export interface AvdDisasterRecoveryPlan {
  apiVersion: typeof API_VERSION;
  kind: typeof PLAN_KIND;
  metadata: V1ObjectMeta;
  spec: AvdDisasterRecoveryPlanSpec;
  status?: AvdDisasterRecoveryPlanStatus;
}

/** Condition types of a plan. */
export const PlanConditions = {
  Ready: "Ready",
  Reconciling: "Reconciling",
  Stalled: "Stalled",
  Protected: "Protected",
  StandbyDeallocated: "StandbyDeallocated",
  FailoverReady: "FailoverReady",
} as const;
