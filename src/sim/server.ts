// `startSim`: the ARM emulator as an HTTPS server on node:https, with Entra ID, the
// resource providers, the ARM request pipeline and the admin API. Used by `avd-dr sim`,
// tests, benchmarks and the demo.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scaledComputeLimits } from "../azure/compute-policies.ts";
import { type PacingLimits, scaledLimits } from "../azure/pacing-buckets.ts";
import { adminRoutes, SimAdmin } from "./admin.ts";
import {
  advanceTime,
  auditWrites,
  authenticate,
  checkApiVersion,
  checkScope,
  countCalls,
} from "./arm-stages.ts";
import { computeThrottle, computeThrottlingAdminRoutes } from "./compute-throttling.ts";
import { faultAdminRoutes, injectFaults } from "./faults.ts";
import {
  ArmError,
  errorResponse,
  type Handler,
  Pipeline,
  Router,
  type SimRequest,
  type SimResponse,
} from "./http.ts";
import { callClassOf, type ProviderRoute, type ResourceProvider } from "./provider.ts";
import { computeProvider } from "./providers/compute.ts";
import { desktopVirtualizationProvider } from "./providers/desktop-virtualization.ts";
import { entraRoutes } from "./providers/entra.ts";
import { resourcesProvider } from "./providers/resources.ts";
import { siteRecoveryProvider } from "./providers/site-recovery.ts";
import { SimState } from "./state.ts";
import { throttle, throttlingAdminRoutes } from "./throttling.ts";
import { generateTls } from "./tls.ts";
import { TokenSigner } from "./tokens.ts";
import { checkTopology, loadTopology, type Topology } from "./topology.ts";

/** What a client needs to reach and trust the emulator (the `--info-file` JSON). */
export interface SimInfo {
  armEndpoint: string;
  authorityHost: string;
  caFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  /**
   * The emulator's ARM buckets (a principal's) and Compute policies at start, in real time
   * (refills scaled by the time scale), for the gateways' pacing; a part is false when the
   * topology switches it off.
   */
  pacing: PacingLimits;
  /**
   * The simulated clock: its time (epoch ms) at a wall-clock instant, and its time scale, so that
   * another process (the operator, with --emulator-info) can run on it. Valid until /admin/reset.
   */
  clock: { clockMs: number; realMs: number; timeScale: number };
}

export interface SimOptions {
  /** A topology, or the path of a topology YAML file. */
  topology: Topology | string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Real ms per simulated ms; 1 is real time, 0.01 runs a hundred times faster. */
  timeScale?: number;
  /** Where to write the CA certificate; a temporary file by default. */
  caFile?: string;
  /** Resource providers beyond the built-in ones (Site Recovery joins here). */
  providers?: readonly ResourceProvider[];
}

export interface RunningSim {
  info: SimInfo;
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  admin: SimAdmin;
  state: SimState;
  /** The ARM pipeline; throttling and fault stages are inserted with `use`. */
  pipeline: Pipeline;
  close(): Promise<void>;
}

export const builtInProviders: readonly ResourceProvider[] = [
  resourcesProvider,
  computeProvider,
  desktopVirtualizationProvider,
  siteRecoveryProvider,
];

export async function startSim(options: SimOptions): Promise<RunningSim> {
  const topology =
    typeof options.topology === "string"
      ? await loadTopology(options.topology)
      : checkTopology(options.topology);
  const principal = topology.principals.find((p) => p.clientSecret !== undefined) ?? topology.principals[0]!;
  const state = new SimState(topology, options.timeScale ?? 1);
  const admin = new SimAdmin(state);
  const signer = new TokenSigner();
  const tls = await generateTls(["localhost"]);

  const router = new Router();
  const addRoutes = (routes: ProviderRoute[], apiVersions: readonly string[]) => {
    for (const r of routes)
      router.add({ ...r, callClass: r.callClass ?? callClassOf(r.method), apiVersions });
  };
  for (const provider of [...builtInProviders, ...(options.providers ?? [])]) {
    addRoutes(provider.routes(state), provider.apiVersions);
  }
  const tokenLifetimeSeconds = () => state.world.durations.tokenLifetime;
  addRoutes(entraRoutes({ topology: () => topology, signer, tokenLifetimeSeconds }), []);
  addRoutes(
    [
      ...adminRoutes(admin),
      ...throttlingAdminRoutes(state.throttling),
      ...computeThrottlingAdminRoutes(state.computeThrottling),
      ...faultAdminRoutes(state.faults),
    ],
    [],
  );

  const arm = new Pipeline();
  arm.use(countCalls(state.counters));
  arm.use(
    authenticate(
      signer,
      () => topology.tenantId,
      (origin) => `${origin}/${topology.tenantId}`,
    ),
  );
  arm.use(throttle(state.throttling, state.clock));
  arm.use(injectFaults(state.faults, state, state.clock.timeScale));
  arm.use(checkScope(() => state.world));
  arm.use(checkApiVersion());
  // Compute throttles behind ARM, once ARM has routed the request to it.
  arm.use(computeThrottle(state.computeThrottling, state));
  arm.use(advanceTime(state.timeline));
  arm.use(auditWrites(state.audit, state.clock));
  const plain = new Pipeline();

  const dispatch = (req: SimRequest): Promise<SimResponse> => {
    const found = router.match(req.method, req.url.pathname);
    const isArm = req.url.pathname.toLowerCase().startsWith("/subscriptions");
    if (typeof found === "object") {
      req.route = found.route;
      req.params = found.params;
      return (found.route.apiVersions.length > 0 ? arm : plain).run(req, found.route.handler);
    }
    const missing: Handler = () => {
      if (found === "method") {
        throw new ArmError(
          405,
          "MethodNotAllowed",
          `The method '${req.method}' is not allowed on '${req.url.pathname}'.`,
        );
      }
      throw new ArmError(404, "NotFound", `No route for '${req.method} ${req.url.pathname}'.`);
    };
    return (isArm ? arm : plain).run(req, missing);
  };

  const server = https.createServer(
    { cert: tls.certPem, key: tls.keyPem, keepAlive: true },
    (nodeReq, nodeRes) => {
      serve(nodeReq, nodeRes, dispatch);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const tmp = options.caFile ? undefined : await mkdtemp(join(tmpdir(), "avd-dr-sim-"));
  const caFile = options.caFile ?? join(tmp!, "ca.pem");
  await writeFile(caFile, tls.caPem);
  const endpoint = `https://localhost:${port}`;
  const info: SimInfo = {
    armEndpoint: endpoint,
    authorityHost: endpoint,
    caFile,
    tenantId: topology.tenantId,
    clientId: principal.clientId,
    clientSecret: principal.clientSecret ?? "",
    subscriptionId: topology.subscriptionId,
    pacing: {
      arm:
        state.throttling.config().enabled && scaledLimits(state.clock.timeScale, state.throttling.config()),
      compute:
        state.computeThrottling.enabled &&
        scaledComputeLimits(state.clock.timeScale, state.computeThrottling.limits),
    },
    clock: { clockMs: state.clock.now(), realMs: Date.now(), timeScale: state.clock.timeScale },
  };

  return {
    info,
    caPem: tls.caPem,
    admin,
    state,
    pipeline: arm,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}

const maxBody = 1 << 20;

function serve(
  nodeReq: IncomingMessage,
  nodeRes: ServerResponse,
  dispatch: (req: SimRequest) => Promise<SimResponse>,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  nodeReq.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBody) chunks.push(chunk);
  });
  nodeReq.on("end", () => {
    const respond = (res: SimResponse) => write(nodeRes, res);
    if (size > maxBody) {
      respond(
        errorResponse(new ArmError(413, "RequestEntityTooLarge", "The request body is larger than 1 MiB.")),
      );
      return;
    }
    let url: URL;
    try {
      url = new URL(nodeReq.url ?? "/", `https://${nodeReq.headers.host ?? "localhost"}`);
    } catch {
      respond(errorResponse(new ArmError(400, "InvalidUri", "The request URI is malformed.")));
      return;
    }
    const req: SimRequest = {
      method: nodeReq.method ?? "GET",
      url,
      headers: nodeReq.headers,
      rawBody: Buffer.concat(chunks).toString("utf8"),
      params: {},
    };
    dispatch(req).then(respond, (error: unknown) => {
      respond(errorResponse(new ArmError(500, "InternalServerError", (error as Error).message)));
    });
  });
}

function write(nodeRes: ServerResponse, res: SimResponse): void {
  const payload = res.body === undefined ? "" : JSON.stringify(res.body);
  nodeRes.writeHead(res.status, {
    ...res.headers,
    ...(payload ? { "content-type": "application/json; charset=utf-8" } : {}),
    "content-length": Buffer.byteLength(payload),
  });
  nodeRes.end(payload);
}
