// List and watch over plain HTTPS, with the credentials of a KubeConfig. client-node's Watch
// aborts a quiet watch after 30 s and sends neither timeoutSeconds nor allowWatchBookmarks,
// so the informer speaks the (small) list/watch protocol itself.
import http from "node:http";
import https from "node:https";
import { createInterface } from "node:readline";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { KubeApiError } from "./errors.ts";

/** A kind of object to list and watch: its API version, plural and, optionally, one namespace. */
export interface ResourceRef {
  apiVersion: string;
  plural: string;
  namespace?: string;
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return ref.namespace ? `${base}/namespaces/${ref.namespace}/${ref.plural}` : `${base}/${ref.plural}`;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  signal: AbortSignal;
}

/** What an informer needs from the API server. Resolves when the server ends the watch. */
export interface ListerWatcher<T> {
  list(signal: AbortSignal): Promise<ListResult<T>>;
  watch(options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void>;
}

const PAGE_SIZE = 500;
// A watch that has said nothing for this long after its own timeout is a dead connection.
const WATCH_SILENCE_MARGIN_MS = 30_000;

export class HttpListerWatcher<T extends KubernetesObject> implements ListerWatcher<T> {
  readonly #kc: KubeConfig;
  readonly #path: string;

  constructor(kc: KubeConfig, ref: ResourceRef) {
    this.#kc = kc;
    this.#path = resourcePath(ref);
  }

  async list(signal: AbortSignal): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const query: Record<string, string> = { limit: String(PAGE_SIZE) };
      if (cont) query.continue = cont;
      const page = JSON.parse(await this.#request(query, signal, undefined)) as {
        items?: T[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? "";
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  async watch(options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const query = {
      watch: "true",
      allowWatchBookmarks: "true",
      resourceVersion: options.resourceVersion,
      timeoutSeconds: String(options.timeoutSeconds),
    };
    const idleMs = options.timeoutSeconds * 1000 + WATCH_SILENCE_MARGIN_MS;
    await this.#request(query, options.signal, { idleMs, onLine: (line) => onEvent(JSON.parse(line)) });
  }

  /** One GET: returns the body, or, when streaming, feeds it line by line and returns "". */
  async #request(
    query: Record<string, string>,
    signal: AbortSignal,
    stream: { idleMs: number; onLine: (line: string) => void } | undefined,
  ): Promise<string> {
    const server = this.#kc.getCurrentCluster()?.server;
    if (!server) throw new Error("kubeconfig has no current cluster: set a current-context");
    const url = new URL(server.replace(/\/$/, "") + this.#path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const opts: https.RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await this.#kc.applyToHTTPSOptions(opts);
    const transport = url.protocol === "http:" ? http : https;
    signal.throwIfAborted();

    return new Promise<string>((resolve, reject) => {
      const req = transport.request(url, { ...opts, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300 || !stream) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (status >= 200 && status < 300) resolve(body);
            else reject(apiError(status, body));
          });
          return;
        }
        const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
        let failed = false;
        lines.on("line", (line) => {
          if (failed || line.trim() === "") return;
          try {
            stream.onLine(line);
          } catch (err) {
            failed = true;
            req.destroy();
            reject(err);
          }
        });
        // readline re-emits errors of its input; both must be handled or they crash the process.
        lines.on("error", reject);
        res.on("error", reject);
        res.on("close", () =>
          res.complete ? resolve("") : reject(new Error("watch connection closed early")),
        );
      });
      if (stream) {
        req.setTimeout(stream.idleMs, () => req.destroy(new Error(`watch silent for ${stream.idleMs} ms`)));
      }
      req.on("error", reject);
      req.end();
    });
  }
}

function apiError(status: number, body: string): KubeApiError {
  try {
    const parsed = JSON.parse(body) as { message?: string; reason?: string };
    return new KubeApiError(status, parsed.message ?? `HTTP ${status}`, parsed.reason);
  } catch {
    return new KubeApiError(status, `HTTP ${status}: ${body.slice(0, 200)}`);
  }
}
