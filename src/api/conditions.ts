// Kubernetes conditions (metav1.Condition) and the one set of helpers that writes them:
// lastTransitionTime moves only when status changes, and every condition records the
// generation it was computed from.
import { type Static, Type } from "@sinclair/typebox";
import { StringEnum } from "./schema-kit.ts";

export const ConditionSchema = Type.Object(
  {
    type: Type.String({
      description: "Type of condition in CamelCase, e.g. Ready.",
      maxLength: 316,
      pattern:
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
    }),
    status: StringEnum(["True", "False", "Unknown"] as const),
    observedGeneration: Type.Optional(
      Type.Integer({ description: "metadata.generation the condition was computed from.", minimum: 0 }),
    ),
    lastTransitionTime: Type.String({
      description: "When status last changed.",
      format: "date-time",
    }),
    reason: Type.String({
      description: "Machine-readable CamelCase reason for the last transition.",
      minLength: 1,
      maxLength: 1024,
      pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
    }),
    message: Type.String({ description: "Human-readable details.", maxLength: 32768 }),
  },
  { additionalProperties: false },
);
export type Condition = Static<typeof ConditionSchema>;
export type ConditionStatus = Condition["status"];

/** A list of conditions keyed by type, as `kubectl` and server-side apply expect. */
export const ConditionsSchema = Type.Array(ConditionSchema, {
  description: "Current state, one entry per condition type.",
  maxItems: 32,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
});

/** What a caller decides; the helper fills in the bookkeeping. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function metav1Time(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * Returns a new list with `input` set. An existing condition of the same type keeps its
 * lastTransitionTime unless its status changes; reason, message and observedGeneration
 * always take the new values.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  observedGeneration: number,
  now: Date = new Date(),
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === input.type);
  const lastTransitionTime =
    existing && existing.status === input.status ? existing.lastTransitionTime : metav1Time(now);
  const next: Condition = { ...input, observedGeneration, lastTransitionTime };
  return existing ? list.map((c) => (c === existing ? next : c)) : [...list, next];
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}
