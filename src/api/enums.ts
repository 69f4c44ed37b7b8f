// The closed sets of values of the API, in one place so that both kinds can use them.

export const STRATEGIES = ["SiteRecovery", "StandbyHostPool", "SharedHostPool"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const REGIONS = ["Primary", "Secondary"] as const;
export type Region = (typeof REGIONS)[number];

export const LOG_OFF_POLICIES = ["Force", "WaitForLogOff"] as const;
export type LogOffPolicy = (typeof LOG_OFF_POLICIES)[number];

export const FAILOVER_TYPES = ["Planned", "Unplanned", "Test"] as const;
export type FailoverType = (typeof FAILOVER_TYPES)[number];

export const DIRECTIONS = ["ToSecondary", "ToPrimary"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Phases in the order a request goes through them; progress only moves forward. */
export const FAILOVER_PHASES = [
  "Pending",
  "Draining",
  "FailingOver",
  "Verifying",
  "Committing",
  "Reprotecting",
  "CleaningUp",
  "Succeeded",
  "Failed",
  "Rejected",
] as const;
export type FailoverPhase = (typeof FAILOVER_PHASES)[number];
export const TERMINAL_PHASES: readonly FailoverPhase[] = ["Succeeded", "Failed", "Rejected"];
export const isTerminalPhase = (phase: FailoverPhase | undefined): boolean =>
  phase !== undefined && TERMINAL_PHASES.includes(phase);
