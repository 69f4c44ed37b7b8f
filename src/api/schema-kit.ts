// Small TypeBox builders for what CRD schemas need and TypeBox does not say by itself:
// closed string enums (as `enum`, not `anyOf` of `const`), Go duration strings with bounds,
// and CEL rules whose messages name the field and the fix.

import { type SchemaOptions, type TSchema, type TString, type TUnsafe, Type } from "@sinclair/typebox";
import { DURATION_PATTERN } from "./duration.ts";

/** A GUID (subscription, tenant, client ids), any case. */
export const GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  rule: string;
  message: string;
  /** JSONPath from the rule's schema to the field the message is about, e.g. `.siteRecovery`. */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** A closed string enum, typed as the union of its values. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: "string", enum: [...values] });
}

/**
 * A Go duration string between `min` and `max` (both Go durations). Both checks are CEL
 * rules so that each message says what to write; the bounds rule only runs on a well-formed
 * value, where CEL's duration() cannot fail.
 */
export function Duration(
  field: string,
  bounds: { min: string; max: string },
  options: SchemaOptions = {},
): TString {
  const wellFormed = `self.matches('${DURATION_PATTERN}')`;
  const rules: CelRule[] = [
    {
      rule: wellFormed,
      message: `${field} must be a Go duration without a sign, such as 90s, 15m or 1h30m (units h, m, s; no days)`,
    },
    {
      rule: `!${wellFormed} || (duration(self) >= duration('${bounds.min}') && duration(self) <= duration('${bounds.max}'))`,
      message: `${field} must be between ${bounds.min} and ${bounds.max}`,
    },
  ];
  return Type.String({ ...options, maxLength: 32, "x-kubernetes-validations": rules });
}

/**
 * A string that must match `pattern`, checked by CEL so that the message can say what a
 * good value looks like (a bare `pattern` only echoes the regular expression).
 */
export function Matching(
  pattern: string,
  message: string,
  options: SchemaOptions & { maxLength: number; minLength?: number },
): TString {
  return Type.String({
    ...options,
    "x-kubernetes-validations": [{ rule: `self.matches('${pattern.replaceAll("\\", "\\\\")}')`, message }],
  });
}

/** Attach CEL rules to any schema. */
export function withRules<T extends TSchema>(schema: T, rules: CelRule[]): T {
  return { ...schema, "x-kubernetes-validations": rules };
}

/** The same schema with its own description, for a shape used in more than one place. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** An RFC 3339 time, as metav1.Time serialises. */
export function Timestamp(description?: string): TString {
  return Type.String({ format: "date-time", ...(description ? { description } : {}) });
}

/** status.observedGeneration: the metadata.generation a status describes. */
export const ObservedGeneration = Type.Integer({
  minimum: 0,
  description: "The metadata.generation this status describes.",
});
