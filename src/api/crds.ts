// CustomResourceDefinitions built from the TypeBox schemas, and their YAML as it lives in crds/.
// Nobody edits crds/*.yaml: `npm run generate` writes them and a test fails when they are stale.
import type { TSchema } from "@sinclair/typebox";
import { stringify } from "yaml";
import { FailoverRequestSpecSchema, FailoverRequestStatusSchema } from "./failover-request.ts";
import {
  CATEGORY,
  FAILOVER_KIND,
  FAILOVER_PLURAL,
  FAILOVER_SINGULAR,
  GROUP,
  PLAN_KIND,
  PLAN_PLURAL,
  PLAN_SINGULAR,
  VERSION,
} from "./group.ts";
import { AvdDisasterRecoveryPlanSpecSchema, AvdDisasterRecoveryPlanStatusSchema } from "./plan.ts";
import { described } from "./schema-kit.ts";

type JsonObject = { [key: string]: unknown };

// Keys of a structural OpenAPI v3 schema that we use. Anything else TypeBox adds
// (`additionalProperties: false`, `$id`, `const`, symbol keys) is not allowed in a CRD or
// not meant for it; an unknown key is a mistake in src/api, so conversion fails loudly.
const KEPT = new Set([
  "type",
  "description",
  "properties",
  "required",
  "items",
  "enum",
  "default",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "nullable",
  "x-kubernetes-validations",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-preserve-unknown-fields",
]);
const DROPPED = new Set(["additionalProperties"]);

/** A TypeBox schema as a CRD's structural OpenAPI v3 schema. */
export function toOpenApi(schema: TSchema, path = "$"): JsonObject {
  for (const key of Object.keys(schema)) {
    if (!KEPT.has(key) && !DROPPED.has(key))
      throw new Error(`${path}: schema key "${key}" has no place in a CRD schema`);
  }
  const out: JsonObject = {};
  // In KEPT's order, so that `type` and `description` come first in the YAML.
  for (const key of KEPT) {
    const value: unknown = schema[key];
    if (value === undefined) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, TSchema>).map(([name, sub]) => [
          name,
          toOpenApi(sub, `${path}.${name}`),
        ]),
      );
    } else if (key === "items") {
      out.items = toOpenApi(value as TSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  // `kubectl explain` shows descriptions but not defaults: say the default in the description.
  const dflt = out.default;
  if (typeof out.description === "string" && ["string", "number", "boolean"].includes(typeof dflt)) {
    out.description = `${out.description} Default: ${String(dflt)}.`;
  }
  return out;
}

interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  columns: PrinterColumn[];
}

const conditionColumn = (type: string): PrinterColumn => ({
  name: type,
  type: "string",
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});
const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

const KINDS: KindDefinition[] = [
  {
    kind: PLAN_KIND,
    plural: PLAN_PLURAL,
    singular: PLAN_SINGULAR,
    shortNames: ["avddrplan", "drplan"],
    description: "The disaster-recovery posture of one Azure Virtual Desktop deployment.",
    spec: described(
      AvdDisasterRecoveryPlanSpecSchema,
      "The desired DR posture: regions, strategy, drain and verify.",
    ),
    status: described(
      AvdDisasterRecoveryPlanStatusSchema,
      "What the operator last observed, in Azure and AVD.",
    ),
    columns: [
      { name: "Strategy", type: "string", jsonPath: ".spec.strategy" },
      {
        name: "Active",
        type: "string",
        jsonPath: ".status.activeRegion",
        description: "Region serving users",
      },
      conditionColumn("Ready"),
      conditionColumn("Protected"),
      { name: "Worst RPO", type: "string", jsonPath: ".status.replication.worstRpo" },
      ageColumn,
    ],
  },
  {
    kind: FAILOVER_KIND,
    plural: FAILOVER_PLURAL,
    singular: FAILOVER_SINGULAR,
    shortNames: ["failover"],
    description: "One failover, failback or test failover of an AvdDisasterRecoveryPlan, run once.",
    spec: described(FailoverRequestSpecSchema, "The failover to run; cannot be changed after creation."),
    status: described(FailoverRequestStatusSchema, "Progress of the failover, written by the operator."),
    columns: [
      { name: "Plan", type: "string", jsonPath: ".spec.planRef.name" },
      { name: "Type", type: "string", jsonPath: ".spec.type" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      conditionColumn("Ready"),
      { name: "RTO", type: "string", jsonPath: ".status.rto", description: "Achieved recovery time" },
      ageColumn,
    ],
  },
];

function crdFor(def: KindDefinition): JsonObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.columns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: def.description,
              required: ["spec"],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: toOpenApi(def.spec, "spec"),
                status: toOpenApi(def.status, "status"),
              },
            },
          },
        },
      ],
    },
  };
}

/** Both CRDs, as objects ready to send to the API server; copies, so a caller may change them. */
export function customResourceDefinitions(): JsonObject[] {
  return KINDS.map((def) => structuredClone(crdFor(def)));
}

const HEADER = "# Generated by `npm run generate` from src/api. Do not edit.\n";

/**
 * Where the CRD files live, relative to the repository: crds/ (kubectl, the tests) and the
 * chart's crds/ (Helm installs them before the templates; a chart can't read files outside
 * its directory, and a symlink would break `helm package` users on some checkouts).
 */
export const CRD_DIRS = ["crds", "charts/avd-dr-operator/crds"];

/** The files of each of CRD_DIRS: name → content. */
export function crdFiles(): Map<string, string> {
  return new Map(
    KINDS.map((def) => [
      `${GROUP}_${def.plural}.yaml`,
      HEADER + stringify(crdFor(def), { lineWidth: 0, aliasDuplicateObjects: false }),
    ]),
  );
}
