// ComputeGateway over @azure/arm-compute (modular). Power states come from one paged
// `virtualMachines.list(rg, {expand: "instanceView"})`; start and deallocate hand back the
// poller's serialised state, from which `restorePoller` resumes after a restart. core-lro 3
// reports a Canceled operation only as "Operation was canceled"; the restored poller keeps
// the status body as its result, so the reason (OperationPreempted) is read from there.
import { ComputeManagementClient, restorePoller } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/identity";
import { collect } from "./collect.ts";
import type { AzureConnection } from "./connection.ts";
import { AzureError, azureCall, toAzureError } from "./errors.ts";
import type {
  ComputeGateway,
  LongRunningOperation,
  OperationProgress,
  PowerState,
  VmPowerInfo,
} from "./gateways.ts";

const powerStates = new Set<string>([
  "starting",
  "running",
  "stopping",
  "stopped",
  "deallocating",
  "deallocated",
]);

export class ComputeAdapter implements ComputeGateway {
  readonly #client: ComputeManagementClient;
  readonly #subscriptionId: string;
  readonly #pollIntervalMs: number | undefined;

  constructor(connection: AzureConnection, credential: TokenCredential, options: object) {
    this.#subscriptionId = connection.subscriptionId;
    this.#pollIntervalMs = connection.pollIntervalMs;
    this.#client = new ComputeManagementClient(credential, connection.subscriptionId, options);
  }

  listPowerStates(resourceGroup: string): Promise<VmPowerInfo[]> {
    return azureCall(`listing the VMs of resource group ${resourceGroup}`, () =>
      collect(this.#client.virtualMachines.list(resourceGroup, { expand: "instanceView" }), (vm) => ({
        id: vm.id ?? "",
        name: vm.name ?? "",
        resourceGroup,
        location: vm.location,
        powerState: powerStateOf(vm.instanceView?.statuses),
      })),
    );
  }

  beginStart(resourceGroup: string, vm: string): Promise<LongRunningOperation> {
    return this.#begin("compute/start", resourceGroup, vm, () =>
      this.#client.virtualMachines.start(resourceGroup, vm, this.#pollOptions()),
    );
  }

  beginDeallocate(resourceGroup: string, vm: string): Promise<LongRunningOperation> {
    return this.#begin("compute/deallocate", resourceGroup, vm, () =>
      this.#client.virtualMachines.deallocate(resourceGroup, vm, this.#pollOptions()),
    );
  }

  async checkOperation(operation: LongRunningOperation): Promise<OperationProgress> {
    const poller = this.#restore(operation);
    try {
      await poller.poll();
    } catch (error) {
      if (!poller.isDone) throw toAzureError(error, describe(operation));
    }
    const state = poller.operationState;
    switch (state?.status) {
      case "succeeded":
        return { status: "succeeded" };
      case "canceled": {
        const reason = cancellation(state.result);
        return reason ? { status: "canceled", error: reason } : { status: "canceled" };
      }
      case "failed": {
        const { code, message } = operationFailure(state.error, operation);
        return { status: "failed", error: { code, message } };
      }
      default:
        return { status: "running" };
    }
  }

  async waitForOperation(
    operation: LongRunningOperation,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<void> {
    const poller = this.#restore(operation);
    try {
      await poller.pollUntilDone(options.abortSignal ? { abortSignal: options.abortSignal } : {});
    } catch (error) {
      const state = poller.operationState;
      if (state?.status === "failed") throw operationFailure(error, operation);
      if (state?.status === "canceled") {
        const reason = cancellation(state.result);
        throw new AzureError(
          `${describe(operation)}: canceled${reason ? `: ${reason.message}` : ""}`,
          reason?.code ?? "OperationCanceled",
        );
      }
      throw toAzureError(error, describe(operation));
    }
  }

  #pollOptions() {
    return this.#pollIntervalMs !== undefined ? { updateIntervalInMs: this.#pollIntervalMs } : {};
  }

  async #begin(
    kind: string,
    resourceGroup: string,
    vm: string,
    start: () => { submitted(): Promise<void>; serialize(): Promise<string> },
  ): Promise<LongRunningOperation> {
    const target = `/subscriptions/${this.#subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm}`;
    return azureCall(`${kind} of ${target}`, async () => {
      const poller = start();
      await poller.submitted();
      return { kind, target, resumeToken: await poller.serialize() };
    });
  }

  #restore(operation: LongRunningOperation) {
    const source =
      operation.kind === "compute/start"
        ? this.#client.virtualMachines.start
        : this.#client.virtualMachines.deallocate;
    // The result is the last body polled: the status resource's, for an operation that ended there.
    return restorePoller(this.#client, operation.resumeToken, source, {
      ...this.#pollOptions(),
      processResponseBody: async (response: { body: unknown }) => response.body,
    });
  }
}

const describe = (operation: LongRunningOperation) => `${operation.kind} of ${operation.target}`;

/**
 * An operation that ended Failed, as an AzureError. core-lro reports the status resource's
 * error as a plain Error "The long-running operation has failed. <code>. <message>"; a failure
 * read from Location arrives as a RestError.
 */
function operationFailure(error: unknown, operation: LongRunningOperation): AzureError {
  const translated = toAzureError(error, describe(operation));
  if (translated instanceof AzureError) return translated;
  const text = error instanceof Error ? error.message : String(error);
  const match = /^The long-running operation has failed\. ([A-Za-z0-9_.-]+?)\. (.*)$/s.exec(text);
  return new AzureError(`${describe(operation)}: ${match?.[2] ?? text}`, match?.[1] ?? "OperationFailed");
}

/** Why an operation was canceled, from its status body (`error: {code, message}`), if it says. */
function cancellation(body: unknown): { code: string; message: string } | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== "string") return undefined;
  return { code: error.code, message: typeof error.message === "string" ? error.message : error.code };
}

/** The PowerState/… code of an instance view; "unknown" when the service gave none. */
function powerStateOf(statuses: readonly { code?: string }[] | undefined): PowerState {
  const code = statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);
  return code && powerStates.has(code) ? (code as PowerState) : "unknown";
}
