// Plans and requests as an AVD administrator would write them, for the operator's tests.
import { CoordinationV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import {
  API_VERSION,
  type AvdDisasterRecoveryPlan,
  FAILOVER_KIND,
  FAILOVER_PLURAL,
  type FailoverRequest,
  GROUP,
  PLAN_KIND,
  PLAN_PLURAL,
  VERSION,
} from "../../src/api/index.ts";

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

export function plan(name: string, pool = `hp-${name}`): AvdDisasterRecoveryPlan {
  return {
    apiVersion: API_VERSION,
    kind: PLAN_KIND,
    metadata: { name },
    spec: {
      subscriptionId: SUBSCRIPTION,
      strategy: "StandbyHostPool",
      primary: { location: "westeurope", resourceGroup: "rg-avd-weu", hostPools: [pool] },
      secondary: { location: "northeurope", resourceGroup: "rg-avd-neu", hostPools: [`${pool}-standby`] },
    },
  };
}

export function failover(name: string, planName: string): FailoverRequest {
  return {
    apiVersion: API_VERSION,
    kind: FAILOVER_KIND,
    metadata: { name },
    spec: { planRef: { name: planName }, type: "Planned" },
  };
}

/** Typed create/get for both kinds. */
export function avddr(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const resource = (plural: string) => ({ group: GROUP, version: VERSION, plural });
  return {
    createPlan: (namespace: string, body: AvdDisasterRecoveryPlan) =>
      api.createNamespacedCustomObject({
        ...resource(PLAN_PLURAL),
        namespace,
        body,
      }) as Promise<AvdDisasterRecoveryPlan>,
    getPlan: (namespace: string, name: string) =>
      api.getNamespacedCustomObject({
        ...resource(PLAN_PLURAL),
        namespace,
        name,
      }) as Promise<AvdDisasterRecoveryPlan>,
    createRequest: (namespace: string, body: FailoverRequest) =>
      api.createNamespacedCustomObject({
        ...resource(FAILOVER_PLURAL),
        namespace,
        body,
      }) as Promise<FailoverRequest>,
    getRequest: (namespace: string, name: string) =>
      api.getNamespacedCustomObject({
        ...resource(FAILOVER_PLURAL),
        namespace,
        name,
      }) as Promise<FailoverRequest>,
    /** How many plans in the namespace have status for their current generation. */
    reconciledPlans: async (namespace: string) => {
      const list = (await api.listNamespacedCustomObject({ ...resource(PLAN_PLURAL), namespace })) as {
        items: AvdDisasterRecoveryPlan[];
      };
      return list.items.filter((p) => p.status?.observedGeneration === p.metadata.generation).length;
    },
    deleteRequest: (namespace: string, name: string) =>
      api.deleteNamespacedCustomObject({ ...resource(FAILOVER_PLURAL), namespace, name }),
    api,
  };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Another process writes itself into the Lease, as a split brain or a manual takeover would. */
export async function seizeLease(kc: KubeConfig, namespace: string, identity: string): Promise<void> {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const lease = await leases.readNamespacedLease({ namespace, name: "avd-dr-operator" });
  await leases.replaceNamespacedLease({
    namespace,
    name: "avd-dr-operator",
    body: {
      ...lease,
      spec: { ...lease.spec, holderIdentity: identity, acquireTime: undefined, renewTime: undefined },
    },
  });
}
