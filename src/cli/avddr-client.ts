// The on-call commands' view of the API: plans and failover requests read, created and deleted,
// with the API server's own message (its Status) when it says no.
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import {
  type AvdDisasterRecoveryPlan,
  FAILOVER_PLURAL,
  type FailoverRequest,
  GROUP,
  PLAN_PLURAL,
  VERSION,
} from "../api/index.ts";
import { isNotFound, statusCodeOf } from "../controller/errors.ts";

export interface AvddrClient {
  /** Plans of one namespace, or of all of them (undefined). */
  listPlans(namespace: string | undefined): Promise<AvdDisasterRecoveryPlan[]>;
  getPlan(namespace: string, name: string): Promise<AvdDisasterRecoveryPlan | undefined>;
  getRequest(namespace: string, name: string): Promise<FailoverRequest | undefined>;
  /** Creates the request; with `validateOnly` the API server checks it (CEL rules too) and stores nothing. */
  createRequest(namespace: string, body: FailoverRequest, validateOnly?: boolean): Promise<FailoverRequest>;
  deleteRequest(namespace: string, name: string): Promise<void>;
}

/** What went wrong in a call to the API server, for a person: its Status message, or why it was not reached. */
export function apiErrorMessage(error: unknown, server: string | undefined): string {
  const code = statusCodeOf(error);
  if (code === undefined) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return `cannot reach the API server ${server ?? ""}: ${cause ?? (error as Error).message}`;
  }
  let message = `HTTP ${code}`;
  try {
    message =
      (JSON.parse(String((error as { body?: unknown }).body)) as { message?: string }).message ?? message;
  } catch {
    // Not a Status body; the code says enough.
  }
  if (code === 401) return `${message}: the API server did not accept the kubeconfig's credentials`;
  if (code === 403) return `${message}: ask for RBAC on avddr.io resources, or pick another --context`;
  return message;
}

export interface InvalidField {
  /** e.g. spec.drain.gracePeriod */
  field: string;
  /** The rule's message, without the "Invalid value: …" prefix. */
  message: string;
}

/** The fields a 422 Invalid answer names (from an AvddrClient error), or undefined for any other error. */
export function invalidFields(error: unknown): InvalidField[] | undefined {
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (statusCodeOf(cause) !== 422) return undefined;
  try {
    const body = JSON.parse(String((cause as { body?: unknown }).body)) as {
      details?: { causes?: Array<{ field?: string; message?: string }> };
    };
    return (body.details?.causes ?? []).map((c) => ({
      field: c.field ?? "",
      message: (c.message ?? "").replace(/^(Invalid value(: "[^"]*")?|Required value|Forbidden): /, ""),
    }));
  } catch {
    return [];
  }
}

export function avddrClient(kc: KubeConfig): AvddrClient {
  const api = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server;
  const plans = { group: GROUP, version: VERSION, plural: PLAN_PLURAL };
  const requests = { group: GROUP, version: VERSION, plural: FAILOVER_PLURAL };
  /** Runs an API call; a 404 is undefined, any other error carries the server's message. */
  const call = async <T>(promise: () => Promise<unknown>): Promise<T | undefined> => {
    try {
      return (await promise()) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(apiErrorMessage(error, server), { cause: error });
    }
  };
  return {
    async listPlans(namespace) {
      const list = await call<{ items: AvdDisasterRecoveryPlan[] }>(() =>
        namespace === undefined
          ? api.listClusterCustomObject(plans)
          : api.listNamespacedCustomObject({ ...plans, namespace }),
      );
      // A list is never 404 for want of objects: the API itself is not there.
      if (!list)
        throw new Error(
          `the API server does not serve ${PLAN_PLURAL}.${GROUP}: install the CRDs (kubectl apply -f crds/ or the Helm chart)`,
        );
      return list.items;
    },
    getPlan: (namespace, name) => call(() => api.getNamespacedCustomObject({ ...plans, namespace, name })),
    getRequest: (namespace, name) =>
      call(() => api.getNamespacedCustomObject({ ...requests, namespace, name })),
    async createRequest(namespace, body, validateOnly = false) {
      const created = await call<FailoverRequest>(() =>
        api.createNamespacedCustomObject({
          ...requests,
          namespace,
          body,
          ...(validateOnly ? { dryRun: "All" } : {}),
        }),
      );
      if (!created) throw new Error(`namespace ${namespace} does not exist`);
      return created;
    },
    async deleteRequest(namespace, name) {
      await call(() => api.deleteNamespacedCustomObject({ ...requests, namespace, name }));
    },
  };
}
