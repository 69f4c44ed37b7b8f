// ARM long-running operations as the SDKs poll them. An accepted action answers 202 with
// Azure-AsyncOperation (the operation status resource) and Location (which answers 202
// while running and 200 with the final result once done, never 204). Completion is an
// event on the timeline at the instant the work finishes; a fault (next issue) can make
// an operation fail with an ARM error instead.
import { randomUUID } from "node:crypto";
import type { Timeline } from "./clock.ts";
import { notFound, type SimResponse } from "./http.ts";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

export interface OperationError {
  code: string;
  message: string;
}

export interface SimOperation {
  readonly id: string;
  /** ARM operation kind, e.g. Microsoft.Compute/virtualMachines/deallocate/action. */
  readonly kind: string;
  readonly target: string;
  readonly provider: string;
  readonly location: string;
  readonly startTime: number;
  status: OperationStatus;
  endTime?: number;
  error?: OperationError;
  /** What Location answers with once the operation succeeded. */
  result?: unknown;
}

export interface BeginOperation {
  kind: string;
  target: string;
  /** Resource provider namespace whose `locations/{l}/operations` path serves the status. */
  provider: string;
  location: string;
  /** Simulated epoch ms at which the work is done. */
  completesAt: number;
  /** Runs at completion; returns the final result, or an error to fail the operation. */
  complete?: () => { result?: unknown; error?: OperationError } | undefined;
}

export class OperationEngine {
  readonly #timeline: Timeline;
  readonly #operations = new Map<string, SimOperation>();

  constructor(timeline: Timeline) {
    this.#timeline = timeline;
  }

  begin(spec: BeginOperation): SimOperation {
    const op: SimOperation = {
      id: randomUUID(),
      kind: spec.kind,
      target: spec.target,
      provider: spec.provider,
      location: spec.location,
      startTime: this.#timeline.now(),
      status: "InProgress",
    };
    this.#operations.set(op.id, op);
    // Work already done (a VM already where it was sent) completes now, never before the start.
    this.#timeline.at(Math.max(spec.completesAt, op.startTime), () => {
      if (op.status !== "InProgress") return;
      const outcome = spec.complete?.();
      op.endTime = this.#timeline.now();
      if (outcome?.error) {
        op.status = "Failed";
        op.error = outcome.error;
      } else {
        op.status = "Succeeded";
        if (outcome?.result !== undefined) op.result = outcome.result;
      }
    });
    return op;
  }

  /** Ends a running operation with an error now (a fault, a failed job). */
  fail(op: SimOperation, error: OperationError): void {
    this.#end(op, "Failed", error);
  }

  /** Ends a running operation as Canceled now, saying why (a later operation preempted it). */
  cancel(op: SimOperation, error: OperationError): void {
    this.#end(op, "Canceled", error);
  }

  #end(op: SimOperation, status: "Failed" | "Canceled", error: OperationError): void {
    if (op.status !== "InProgress") return;
    op.status = status;
    op.error = error;
    op.endTime = this.#timeline.now();
  }

  get(id: string): SimOperation | undefined {
    return this.#operations.get(id);
  }

  clear(): void {
    this.#operations.clear();
  }

  // ---- wire ----

  /** The 202 that starts polling. */
  accepted(op: SimOperation, origin: string, apiVersion: string): SimResponse {
    const base = `${origin}/subscriptions/${subscriptionOf(op.target)}/providers/${op.provider}/locations/${op.location}/operations/${op.id}`;
    return {
      status: 202,
      headers: {
        "azure-asyncoperation": `${base}?api-version=${apiVersion}`,
        location: `${base}?monitor=true&api-version=${apiVersion}`,
      },
    };
  }

  /** GET of the status resource (`monitor` absent) or of Location (`monitor=true`). */
  poll(id: string, monitor: boolean): SimResponse {
    const op = this.#operations.get(id);
    if (!op) throw notFound(`operations/${id}`);
    if (monitor) {
      if (op.status === "InProgress") return { status: 202, headers: {} };
      if (op.error) return { status: 500, body: { error: op.error } };
      return { status: 200, body: op.result ?? this.#statusBody(op) };
    }
    return { status: 200, body: this.#statusBody(op) };
  }

  #statusBody(op: SimOperation): Record<string, unknown> {
    return {
      name: op.id,
      status: op.status,
      startTime: new Date(op.startTime).toISOString(),
      ...(op.endTime !== undefined ? { endTime: new Date(op.endTime).toISOString() } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }
}

function subscriptionOf(resourceId: string): string {
  return resourceId.split("/")[2] ?? "";
}
