// Counts every ARM request the gateways send (each attempt, retries included) by kind and
// result, for the operator's metrics. The kind is the method and the resource type with the
// names taken out ("POST Microsoft.Compute/virtualMachines/start"), so the label set stays
// small however many VMs a deployment has.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export type ArmRequestResult = "ok" | "not_found" | "throttled" | "error";

/** Called once per ARM request attempt; a plain function, so src/azure needs no metrics library. */
export type ArmRequestObserver = (kind: string, result: ArmRequestResult) => void;

/**
 * The method and the resource type of an ARM path: after `providers/`, type and name segments
 * alternate, and a trailing odd segment is an action. Paths without a provider (resource
 * groups, the subscription) keep their fixed segments only.
 */
export function armRequestKind(method: string, url: string): string {
  const segments = new URL(url).pathname.split("/").filter(Boolean);
  const provider = segments.findLastIndex((s) => s.toLowerCase() === "providers");
  if (provider < 0 || provider + 1 >= segments.length) {
    // /subscriptions/{s}/resourceGroups/{rg}/resources: keep the even (fixed) segments.
    return `${method} ${segments.filter((_, i) => i % 2 === 0).join("/")}`;
  }
  const [namespace, ...rest] = segments.slice(provider + 1);
  const types = rest.filter((_, i) => i % 2 === 0);
  return `${method} ${[namespace, ...types].join("/")}`;
}

function resultOfStatus(status: number): ArmRequestResult {
  if (status === 429) return "throttled";
  if (status === 404) return "not_found";
  return status < 400 ? "ok" : "error";
}

/** A pipeline policy reporting each request to ARM (not to the token endpoint) to the observer. */
export function requestObserverPolicy(observer: ArmRequestObserver, resourceManager: string): PipelinePolicy {
  const armOrigin = new URL(resourceManager).origin;
  return {
    name: "avdDrArmRequestObserver",
    async sendRequest(request, next) {
      if (new URL(request.url).origin !== armOrigin) return next(request);
      const kind = armRequestKind(request.method, request.url);
      try {
        const response = await next(request);
        observer(kind, resultOfStatus(response.status));
        return response;
      } catch (error) {
        observer(kind, "error");
        throw error;
      }
    },
  };
}
