// Kubernetes Events (events.k8s.io/v1) about our objects, for `kubectl describe` and
// `kubectl events`. Best effort: a failed event is logged, never fails a reconcile. A repeat
// of the same event within a few minutes updates the first one's series instead of adding one.
import { randomBytes } from "node:crypto";
import {
  EventsV1Api,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
} from "@kubernetes/client-node";
import { errorMessage, type Log } from "./logger.ts";

export interface EventInput {
  type: "Normal" | "Warning";
  /** CamelCase, why: e.g. Stalled, Accepted. */
  reason: string;
  /** CamelCase, what the operator did or failed to do: e.g. Validate, Admit. */
  action: string;
  note: string;
}

/** What reconcilers need to report an event. */
export interface EventRecorder {
  record(obj: KubernetesObject, event: EventInput): void;
}

const SERIES_WINDOW_MS = 6 * 60_000;
const MAX_NOTE = 1024;

export class KubeEventRecorder implements EventRecorder {
  readonly #api: EventsV1Api;
  readonly #controller: string;
  readonly #instance: string;
  readonly #log: Log;
  readonly #series = new Map<string, { namespace: string; name: string; count: number; at: number }>();
  #pending: Promise<void> = Promise.resolve();

  constructor(kc: KubeConfig, options: { controller: string; instance: string; log: Log }) {
    this.#api = kc.makeApiClient(EventsV1Api);
    this.#controller = options.controller;
    this.#instance = options.instance;
    this.#log = options.log;
  }

  record(obj: KubernetesObject, event: EventInput): void {
    // Serialised, so a burst of events keeps its order and its series counts.
    this.#pending = this.#pending.then(() =>
      this.#write(obj, event).catch((error) =>
        this.#log.warn({ err: errorMessage(error), reason: event.reason }, "could not record event"),
      ),
    );
  }

  /** Resolves when every recorded event has been written (or has failed). */
  flush(): Promise<void> {
    return this.#pending;
  }

  async #write(obj: KubernetesObject, event: EventInput): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? "default";
    const key = [meta.uid, event.type, event.reason, event.action, event.note].join("\u0000");
    const now = Date.now();
    for (const [k, s] of this.#series) if (now - s.at > SERIES_WINDOW_MS) this.#series.delete(k);
    const series = this.#series.get(key);
    if (series) {
      series.count++;
      series.at = now;
      await this.#api.patchNamespacedEvent(
        {
          namespace: series.namespace,
          name: series.name,
          body: { series: { count: series.count, lastObservedTime: new V1MicroTime(now) } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      return;
    }
    const name = `${meta.name}.${randomBytes(8).toString("hex")}`;
    await this.#api.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name, namespace },
        eventTime: new V1MicroTime(now),
        reportingController: this.#controller,
        reportingInstance: this.#instance,
        type: event.type,
        reason: event.reason,
        action: event.action,
        note: event.note.length > MAX_NOTE ? `${event.note.slice(0, MAX_NOTE - 1)}…` : event.note,
        regarding: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          namespace,
          name: meta.name,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
      },
    });
    this.#series.set(key, { namespace, name, count: 1, at: now });
  }
}
