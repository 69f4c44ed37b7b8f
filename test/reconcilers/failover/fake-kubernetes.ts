// The Kubernetes side of the failover runner, in memory: an API server holding one kind of
// object with resourceVersions and 409 conflicts (behind the operator's own status writer and
// finalizer patcher), and a runner wired to it and to the fake gateways, as setup.ts wires it.
import type { KubernetesObject } from "@kubernetes/client-node";
import type {
  AvdDisasterRecoveryPlan,
  AvdDisasterRecoveryPlanStatus,
  FailoverRequest,
  FailoverRequestSpec,
  FailoverRequestStatus,
} from "../../../src/api/index.ts";
import type { ReconcileOutcome } from "../../../src/controller/controller.ts";
import { KubeApiError } from "../../../src/controller/errors.ts";
import type { EventInput } from "../../../src/controller/events.ts";
import { FinalizerPatcher } from "../../../src/controller/finalizers.ts";
import { silentLog } from "../../../src/controller/logger.ts";
import { ConflictRetryingStatusWriter, type CustomObjectClient } from "../../../src/controller/objects.ts";
import { keyOf, Store } from "../../../src/controller/store.ts";
import { AzureAccess } from "../../../src/reconcilers/azure-access.ts";
import { FAILOVER_FINALIZER } from "../../../src/reconcilers/failover/reconciler.ts";
import { AzureFailoverRunner } from "../../../src/reconcilers/failover/runner.ts";
import { PLANS_BY_HOST_POOL, planHostPoolKeys } from "../../../src/reconcilers/indexes.ts";
import { type FakeAzure, fakePlan, fakeRequest, TestClock } from "./fakes.ts";

type WithStatus = KubernetesObject & { status?: unknown };

/** Objects of one kind as the API server keeps them: every write moves the resourceVersion. */
export class FakeApiServer<T extends WithStatus> {
  readonly #objects = new Map<string, T>();
  #version = 100;
  #interleaved?: (obj: T) => void;

  create(obj: T): void {
    this.#objects.set(keyOf(obj), {
      ...structuredClone(obj),
      metadata: { ...obj.metadata, resourceVersion: this.#next() },
    });
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    const obj = this.#objects.get(`${namespace}/${name}`);
    return obj && structuredClone(obj);
  }

  /** Another writer changes the object just before the next write, which then conflicts. */
  interleave(change: (obj: T) => void): void {
    this.#interleaved = change;
  }

  async replaceStatus(obj: T): Promise<T> {
    const stored = this.#current(obj);
    stored.status = structuredClone(obj.status);
    return this.#written(stored);
  }

  async mergePatch(
    namespace: string,
    name: string,
    patch: { metadata: { finalizers?: string[] } },
  ): Promise<T> {
    const stored = this.#current({ metadata: { ...patch.metadata, namespace, name } } as T);
    if (patch.metadata.finalizers) stored.metadata!.finalizers = patch.metadata.finalizers;
    return this.#written(stored);
  }

  /** The operator's view of this API server. */
  client(): CustomObjectClient<T> {
    return this as unknown as CustomObjectClient<T>;
  }

  /** The stored object a write is for, after any interleaved write; a 409 if `obj` is stale. */
  #current(obj: T): T {
    const stored = this.#objects.get(keyOf(obj));
    if (!stored) throw new KubeApiError(404, `${keyOf(obj)} not found`, "NotFound");
    const other = this.#interleaved;
    this.#interleaved = undefined;
    if (other) {
      other(stored);
      this.#written(stored);
    }
    const version = obj.metadata?.resourceVersion;
    if (version !== undefined && version !== stored.metadata?.resourceVersion)
      throw new KubeApiError(409, `the object has been modified (resourceVersion ${version})`, "Conflict");
    return stored;
  }

  #written(stored: T): T {
    stored.metadata!.resourceVersion = this.#next();
    return structuredClone(stored);
  }

  #next(): string {
    return String(++this.#version);
  }
}

/**
 * The failover runner against `azure`'s gateways: plan contoso with request to-neu accepted as
 * its active failover (Pending, holding the finalizer) unless `status` says where it is.
 */
export function runnerOver(
  azure: FakeAzure,
  options: {
    plan?: (p: AvdDisasterRecoveryPlan) => void;
    planStatus?: AvdDisasterRecoveryPlanStatus;
    spec?: Partial<FailoverRequestSpec>;
    status?: FailoverRequestStatus;
  } = {},
) {
  const clock = new TestClock();
  const plan = fakePlan(options.plan);
  const request = fakeRequest(options.spec);
  plan.status = {
    ...options.planStatus,
    activeFailover: { name: request.metadata.name!, phase: "Pending", type: request.spec.type },
  };
  request.metadata = { ...request.metadata, generation: 1, finalizers: [FAILOVER_FINALIZER] };
  request.status = options.status ?? { phase: "Pending" };
  const plans = new FakeApiServer<AvdDisasterRecoveryPlan>();
  const requests = new FakeApiServer<FailoverRequest>();
  plans.create(plan);
  requests.create(request);
  const cache = new Store<AvdDisasterRecoveryPlan>();
  cache.addIndex(PLANS_BY_HOST_POOL, planHostPoolKeys);
  cache.upsert(plan);
  const events: EventInput[] = [];
  const finished: string[] = [];
  const runner = new AzureFailoverRunner({
    access: new AzureAccess({
      armEndpoint: "https://management.azure.com",
      authorityHost: "https://login.microsoftonline.com",
      createGateways: () => azure.gateways,
    }),
    clock,
    plans: cache,
    secrets: new Store(),
    liveRequests: requests,
    requestStatus: new ConflictRetryingStatusWriter(requests.client()),
    planStatus: new ConflictRetryingStatusWriter(plans.client()),
    finalizers: new FinalizerPatcher(requests.client()),
    events: { record: (_obj, event) => events.push(event) },
    log: silentLog,
    metrics: {
      failoverFinished: (type, result) => finished.push(`${type} ${result}`),
      phaseFinished: () => {},
    },
  });
  const current = {
    request: async () => (await requests.get("ns", "to-neu"))!,
    plan: async () => (await plans.get("ns", "contoso"))!,
  };
  return {
    runner,
    clock,
    plans,
    requests,
    events,
    /** The failovers the metrics counted, as "type result". */
    finished,
    ...current,
    /** One reconcile, as the failover reconciler calls it: the cached request and plan. */
    reconcile: async (): Promise<ReconcileOutcome | undefined> =>
      runner.run(await current.request(), await current.plan(), new AbortController().signal),
  };
}
