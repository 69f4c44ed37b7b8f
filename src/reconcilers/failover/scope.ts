// Everything one reconcile of a running FailoverRequest works with: the request as the API
// server has it, its plan, the effective drain and verify policy, the plan's gateways, the
// clock, and the status draft the phases fill in (written once at the end of the reconcile).
// Azure reads are made once per reconcile and shared by the steps that need them.
import {
  type AvdDisasterRecoveryPlan,
  type DrainSpec,
  type FailoverRequest,
  type FailoverRequestStatus,
  PLAN_DEFAULTS,
  parseDuration,
  type Region,
} from "../../api/index.ts";
import type { ProtectedItemInfo, UserSessionInfo } from "../../azure/gateways.ts";
import type { AzureGateways } from "../../azure/index.ts";
import type { EventInput } from "../../controller/events.ts";
import type { Log } from "../../controller/logger.ts";
import type { Clock } from "../clock.ts";
import { type Host, type Inventory, readInventory } from "../inventory.ts";

export interface DrainPolicy {
  title: string;
  message: string;
  graceMs: number;
  gracePeriod: string;
  logOffPolicy: "Force" | "WaitForLogOff";
}

export interface VerifyPolicy {
  timeoutMs: number;
  /** How many of `targets` hosts must be Available. */
  required(targets: number): number;
}

/**
 * What the runner keeps of a request between its reconciles in this process: the drain's last
 * reads, so that a pass need not list thousands of sessions again. Only ever a shortcut: the
 * status is the record, and a restarted operator starts with none and reads afresh.
 */
export interface RequestMemory {
  drain?: {
    /** When the hosts and sessions were read (clock ms). */
    readAt: number;
    hosts: Host[];
    sessions: UserSessionInfo[];
  };
}

export interface FailoverScope {
  request: FailoverRequest;
  plan: AvdDisasterRecoveryPlan;
  gateways: AzureGateways;
  clock: Clock;
  log: Log;
  signal: AbortSignal;
  /** The region users leave, and the one they go to. */
  from: Region;
  to: Region;
  drain: DrainPolicy;
  verify: VerifyPolicy;
  /** The status being built this reconcile; phases change it, the runner writes it once. */
  status: FailoverRequestStatus;
  /** Kept between this request's reconciles in this process. */
  memory: RequestMemory;
  events: { record(event: EventInput): void };
  now(): Date;
  /** The plan's session hosts and their VMs' power, read once per reconcile. */
  inventory(): Promise<Inventory>;
  /** The plan's session hosts and their regions, without VM power (fewer reads). */
  hosts(): Promise<Inventory>;
  /** The vault's protected items (SiteRecovery), read once per reconcile; `fresh` reads again. */
  protectedItems(fresh?: boolean): Promise<ProtectedItemInfo[]>;
}

/** The request's drain overrides over the plan's policy, over the defaults. */
export function drainPolicy(plan: AvdDisasterRecoveryPlan, request: FailoverRequest): DrainPolicy {
  const merged: DrainSpec = { ...plan.spec.drain, ...request.spec.drain };
  const gracePeriod = merged.gracePeriod ?? PLAN_DEFAULTS.gracePeriod;
  return {
    title: merged.title ?? PLAN_DEFAULTS.drainTitle,
    message: merged.message ?? PLAN_DEFAULTS.drainMessage,
    gracePeriod,
    graceMs: parseDuration(gracePeriod),
    logOffPolicy: merged.logOffPolicy ?? PLAN_DEFAULTS.logOffPolicy,
  };
}

export function verifyPolicy(plan: AvdDisasterRecoveryPlan): VerifyPolicy {
  const v = plan.spec.verify ?? {};
  return {
    timeoutMs: parseDuration(v.timeout ?? PLAN_DEFAULTS.verifyTimeout),
    required: (targets) =>
      v.minAvailableHosts ??
      Math.ceil(targets * (v.minAvailableHostsRatio ?? PLAN_DEFAULTS.minAvailableHostsRatio)),
  };
}

/** Memoised reads for one reconcile. */
export function azureReads(
  plan: AvdDisasterRecoveryPlan,
  gateways: AzureGateways,
): Pick<FailoverScope, "inventory" | "hosts" | "protectedItems"> {
  let inventory: Promise<Inventory> | undefined;
  let hosts: Promise<Inventory> | undefined;
  let items: Promise<ProtectedItemInfo[]> | undefined;
  return {
    inventory: () => {
      inventory ??= readInventory(plan, gateways.desktopVirtualization, gateways.compute);
      return inventory;
    },
    hosts: () => {
      hosts ??=
        inventory ?? readInventory(plan, gateways.desktopVirtualization, gateways.compute, { power: false });
      return hosts;
    },
    protectedItems: (fresh = false) => {
      const sr = plan.spec.siteRecovery;
      if (!sr) return Promise.resolve([]);
      if (fresh || !items)
        items = gateways.siteRecovery.listProtectedItems({
          resourceGroup: sr.vaultResourceGroup,
          vault: sr.vaultName,
        });
      return items;
    },
  };
}
