// `avd-dr operator`: the operator process. Flags follow kubebuilder's spelling; each has an
// environment variable as an alternative (shown in --help).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { KubeConfig } from "@kubernetes/client-node";
import { type Command, Option } from "commander";
import { pino } from "pino";
import { parseDuration } from "../api/duration.ts";
import { parseBindAddress } from "../controller/http-endpoints.ts";
import { DEFAULT_TIMINGS, validateTimings } from "../controller/leader-election.ts";
import type { Log } from "../controller/logger.ts";
import { Manager } from "../controller/manager.ts";
import { OperatorMetrics } from "../controller/metrics.ts";
import { OPERATOR_NAME, setupReconcilers } from "../reconcilers/setup.ts";
import { clusterRegion, operatorAzure } from "./operator-azure.ts";

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** Paths pino replaces with "[redacted]", wherever a secret could end up in a log line. */
export const REDACTED_PATHS = [
  "clientSecret",
  "*.clientSecret",
  "*.*.clientSecret",
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  "credentials",
  "*.credentials",
];

interface OperatorFlags {
  kubeconfig?: string;
  namespace: string[];
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  maxConcurrentReconciles: string;
  syncPeriod: string;
  gracefulShutdownTimeout: string;
  armEndpoint: string;
  authorityHost: string;
  emulatorInfo?: string;
  clusterRegion?: string;
  logLevel: string;
}

const ms = (d: number) => `${d / 1000}s`;
const collect = (value: string, previous: string[]) => [...previous, ...value.split(",").filter(Boolean)];

export function registerOperator(program: Command): void {
  program
    .command("operator")
    .description("run the operator: reconcile AvdDisasterRecoveryPlans and FailoverRequests")
    .addOption(new Option("--kubeconfig <path>", "kubeconfig file; default: in-cluster").env("KUBECONFIG"))
    .addOption(
      new Option(
        "--namespace <ns>",
        "namespace to watch; repeat (or comma-separate) for several; default: all",
      )
        .env("WATCH_NAMESPACE")
        .argParser(collect)
        .default([]),
    )
    .addOption(
      // Not .env(): commander would read LEADER_ELECT=false as true.
      new Option(
        "--leader-elect",
        "elect one active replica through a Lease (env: LEADER_ELECT=true)",
      ).default(false),
    )
    .addOption(
      new Option(
        "--leader-election-namespace <ns>",
        "namespace of the Lease; default: the pod's, else the kubeconfig context's, else default",
      ).env("LEADER_ELECTION_NAMESPACE"),
    )
    .addOption(
      new Option("--lease-duration <d>", "leader lease duration").default(
        ms(DEFAULT_TIMINGS.leaseDurationMs),
      ),
    )
    .addOption(
      new Option("--renew-deadline <d>", "leader renew deadline").default(
        ms(DEFAULT_TIMINGS.renewDeadlineMs),
      ),
    )
    .addOption(
      new Option("--retry-period <d>", "leader election retry period").default(
        ms(DEFAULT_TIMINGS.retryPeriodMs),
      ),
    )
    .addOption(
      new Option("--metrics-bind-address <addr>", "address of /metrics; 0 turns it off")
        .env("METRICS_BIND_ADDRESS")
        .default(":8080"),
    )
    .addOption(
      new Option("--health-probe-bind-address <addr>", "address of /healthz and /readyz; 0 turns them off")
        .env("HEALTH_PROBE_BIND_ADDRESS")
        .default(":8081"),
    )
    .addOption(
      new Option("--max-concurrent-reconciles <n>", "reconciles running at once, per controller")
        .env("MAX_CONCURRENT_RECONCILES")
        .default("4"),
    )
    .addOption(
      new Option("--sync-period <d>", "re-reconcile every object this often")
        .env("SYNC_PERIOD")
        .default("10m"),
    )
    .addOption(
      new Option(
        "--graceful-shutdown-timeout <d>",
        "on SIGTERM, how long running reconciles may take to finish",
      )
        .env("GRACEFUL_SHUTDOWN_TIMEOUT")
        .default("20s"),
    )
    .addOption(
      new Option("--arm-endpoint <url>", "Azure Resource Manager endpoint (a plan's spec.cloud overrides it)")
        .env("AZURE_RESOURCE_MANAGER_ENDPOINT")
        .default("https://management.azure.com"),
    )
    .addOption(
      new Option("--authority-host <url>", "Entra ID authority host (a plan's spec.cloud overrides it)")
        .env("AZURE_AUTHORITY_HOST")
        .default("https://login.microsoftonline.com"),
    )
    .addOption(
      new Option(
        "--emulator-info <file>",
        "the ARM emulator's info file (avd-dr sim --info-file): pace by its throttling limits and run on its simulated clock (trust its CA with NODE_EXTRA_CA_CERTS)",
      ).env("AVD_DR_EMULATOR_INFO"),
    )
    .addOption(
      new Option(
        "--cluster-region <region>",
        "Azure region of this cluster; default: the topology.kubernetes.io/region label of the node (NODE_NAME)",
      ).env("CLUSTER_REGION"),
    )
    .addOption(
      new Option("--log-level <level>", "log level")
        .choices(["trace", "debug", "info", "warn", "error"])
        .env("LOG_LEVEL")
        .default("info"),
    )
    .action(async (flags: OperatorFlags) => {
      try {
        await runOperator(flags);
      } catch (error) {
        process.stderr.write(`avd-dr operator: ${(error as Error).message}\n`);
        process.exit(2);
      }
    });
}

function envFlag(name: string): boolean {
  const value = (process.env[name] ?? "").toLowerCase();
  if (value === "" || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw new Error(`${name} must be true or false, got "${process.env[name]}"`);
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** A Go duration flag, in milliseconds ("0" too, as Go's flag package takes it). */
function duration(flag: string, value: string): number {
  if (value === "0") return 0;
  try {
    return parseDuration(value);
  } catch {
    throw new Error(`${flag} must be a duration such as 15s, 500ms or 1m30s, got "${value}"`);
  }
}

function httpsUrl(flag: string, value: string): string {
  if (!/^https:\/\/\S+$/.test(value)) throw new Error(`${flag} must be an https:// URL, got "${value}"`);
  return value;
}

/** The flag, else the pod's namespace, else the kubeconfig context's, else "default" (running from a laptop). */
function leaseNamespace(flag: string | undefined, kc: KubeConfig): string {
  if (flag) return flag;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim();
  } catch {
    return kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  }
}

async function runOperator(flags: OperatorFlags): Promise<void> {
  // Every flag is checked before anything starts, so a typo fails fast with its name.
  const maxConcurrentReconciles = positiveInteger(
    "--max-concurrent-reconciles",
    flags.maxConcurrentReconciles,
  );
  const probeAddress = parseBindAddress("--health-probe-bind-address", flags.healthProbeBindAddress);
  const metricsAddress = parseBindAddress("--metrics-bind-address", flags.metricsBindAddress);
  const resyncMs = duration("--sync-period", flags.syncPeriod);
  const shutdownGraceMs = duration("--graceful-shutdown-timeout", flags.gracefulShutdownTimeout);
  const azure = {
    armEndpoint: httpsUrl("--arm-endpoint", flags.armEndpoint),
    authorityHost: httpsUrl("--authority-host", flags.authorityHost),
  };
  const leaderElect = flags.leaderElect || envFlag("LEADER_ELECT");
  const timings = {
    leaseDurationMs: duration("--lease-duration", flags.leaseDuration),
    renewDeadlineMs: duration("--renew-deadline", flags.renewDeadline),
    retryPeriodMs: duration("--retry-period", flags.retryPeriod),
  };
  if (leaderElect) validateTimings(timings);
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromCluster();
  const identity = `${hostname()}_${randomUUID()}`;
  const leaderElection = leaderElect
    ? {
        ...timings,
        namespace: leaseNamespace(flags.leaderElectionNamespace, kc),
        name: OPERATOR_NAME,
        identity,
      }
    : undefined;

  const log: Log = pino({
    level: flags.logLevel,
    base: { identity },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  });

  const metrics = new OperatorMetrics();
  let exitCode = 0;
  const manager = new Manager({
    kc,
    namespaces: flags.namespace,
    log,
    metrics,
    informer: { resyncMs },
    leaderElection,
    probeAddress,
    metricsAddress,
    shutdownGraceMs,
    onLostLeadership: () => {
      // The Deployment restarts us as a standby with a fresh cache.
      exitCode = 1;
      void manager.shutdown().finally(() => process.exit(exitCode));
    },
  });
  const { access, clock } = await operatorAzure({
    ...azure,
    ...(flags.emulatorInfo ? { emulatorInfo: flags.emulatorInfo } : {}),
    onRequest: metrics.recordAzureRequest,
  });
  const operatorRegion = await clusterRegion(kc, flags.clusterRegion, log);
  const { events } = setupReconcilers({
    kc,
    manager,
    log,
    metrics,
    identity,
    maxConcurrentReconciles,
    azure: access,
    clock,
    ...(operatorRegion ? { operatorRegion } : {}),
  });

  const stop = (signal: string) => {
    log.info({ signal }, "signal received");
    void manager
      .shutdown()
      .then(() => events.flush())
      .finally(() => process.exit(exitCode));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));

  log.info(
    {
      namespaces: flags.namespace.length ? flags.namespace : "all",
      leaderElection: leaderElection ?? false,
      azure: { ...azure, emulatorInfo: flags.emulatorInfo, clusterRegion: operatorRegion ?? "unknown" },
    },
    "starting avd-dr operator",
  );
  await manager.start();
  if (manager.leading) log.info({}, "controllers running");
}
