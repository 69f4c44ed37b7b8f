// Identity of the API: one group, one version, two namespaced kinds.
export const GROUP = "avddr.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export const PLAN_KIND = "AvdDisasterRecoveryPlan";
export const PLAN_PLURAL = "avddisasterrecoveryplans";
export const PLAN_SINGULAR = "avddisasterrecoveryplan";

export const FAILOVER_KIND = "FailoverRequest";
export const FAILOVER_PLURAL = "failoverrequests";
export const FAILOVER_SINGULAR = "failoverrequest";

/** `kubectl get avddr` lists every object of both kinds. */
export const CATEGORY = "avddr";
