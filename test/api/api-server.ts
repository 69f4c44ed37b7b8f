// Plain HTTPS requests to the test API server, so that API tests see exactly what the server
// answers (status codes, Status messages, Table responses) with no client library in between.

import { readdir, readFile } from "node:fs/promises";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { join } from "node:path";
import { parse } from "yaml";
import { FAILOVER_PLURAL, GROUP, PLAN_PLURAL, VERSION } from "../../src/api/group.ts";
import { testKubeConfig } from "../support/kube.ts";

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/** One request as cluster admin; JSON in, JSON out. */
export async function apiRequest(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const kc = testKubeConfig();
  const server = new URL(kc.getCurrentCluster()?.server ?? "");
  const options: RequestOptions = {
    method,
    host: server.hostname,
    port: server.port,
    path,
    headers: { accept: "application/json", "content-type": "application/json", ...headers },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export type Kind = "plan" | "failover";
const PLURALS: Record<Kind, string> = { plan: PLAN_PLURAL, failover: FAILOVER_PLURAL };

/** `/apis/avddr.io/v1alpha1/namespaces/<ns>/<plural>[/<name>[/status]]` */
export function resourcePath(kind: Kind, namespace: string, name?: string, subresource?: "status"): string {
  return [`/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURALS[kind]}`, name, subresource]
    .filter((part) => part !== undefined)
    .join("/");
}

/** Creates an object with strict field validation (unknown fields are errors, not dropped). */
export function create(kind: Kind, namespace: string, object: unknown): Promise<ApiResponse> {
  return apiRequest("POST", `${resourcePath(kind, namespace)}?fieldValidation=Strict`, object);
}

export interface Sample {
  file: string;
  kind: Kind;
  // biome-ignore lint/suspicious/noExplicitAny: samples are plain YAML objects
  object: any;
}

const SAMPLES_DIR = join(import.meta.dirname, "..", "..", "config", "samples");

/** Every object of config/samples, in file order. */
export async function loadSamples(): Promise<Sample[]> {
  const files = (await readdir(SAMPLES_DIR)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(
    files.map(async (file) => {
      const object = parse(await readFile(join(SAMPLES_DIR, file), "utf8"));
      return { file, kind: object.kind === "FailoverRequest" ? "failover" : "plan", object } as Sample;
    }),
  );
}

/** A sample as it would be created in `namespace`. */
export function inNamespace<T extends { metadata: object }>(object: T, namespace: string): T {
  return { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), namespace } };
}
