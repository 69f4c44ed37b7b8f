// The operator's small HTTP servers: health probes and Prometheus metrics, on the addresses the
// kubebuilder-style flags give (":8081", "127.0.0.1:8080"; "0" turns an endpoint off).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Check = () => { ok: boolean; detail?: string };

export interface Route {
  contentType: string;
  /** Returns the body; throwing answers 503 with the error's message. */
  handle(): Promise<string> | string;
}

/** Parses "host:port" or ":port"; "0" (off) gives undefined. */
export function parseBindAddress(flag: string, value: string): { host: string; port: number } | undefined {
  if (value === "0") return undefined;
  const m = /^(.*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) {
    throw new Error(`${flag} must be host:port or :port (or 0 to turn it off), got "${value}"`);
  }
  return { host: m[1] || "0.0.0.0", port };
}

export class EndpointServer {
  readonly #server: Server;

  constructor(routes: Record<string, Route>) {
    this.#server = createServer(async (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const route = routes[path];
      if (!route || req.method !== "GET") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      try {
        const body = await route.handle();
        res.writeHead(200, { "content-type": route.contentType }).end(body);
      } catch (error) {
        res.writeHead(503, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
      }
    });
  }

  listen(address: { host: string; port: number }): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(address.port, address.host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A probe route: "ok" when every check passes, else a 503 listing the failures. */
export function probe(checks: Record<string, Check>): Route {
  return {
    contentType: "text/plain",
    handle() {
      const failed = Object.entries(checks)
        .map(([name, check]) => ({ name, ...check() }))
        .filter((c) => !c.ok);
      if (failed.length > 0)
        throw new Error(failed.map((c) => `${c.name}: ${c.detail ?? "failed"}`).join("\n"));
      return "ok\n";
    },
  };
}
