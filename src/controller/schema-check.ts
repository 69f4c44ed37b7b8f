// Checks an object read from the API server against the structural schema the operator was
// built with. The API server validates on write only, so an object stored under an older,
// looser schema can hold what this operator cannot use (an unknown enum value, a number out of
// range); reconcilers report it on the object instead of acting on it or crashing.
// CEL rules (x-kubernetes-validations) are not evaluated here.

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
};

export interface SchemaProblem {
  /** Field path such as spec.verify.minAvailableHostsRatio or spec.primary.hostPools[0]. */
  field: string;
  message: string;
}

/** Returns what in `value` does not fit `schema`, at most `limit` problems. */
export function checkAgainstSchema(
  schema: object,
  value: unknown,
  path: string,
  limit = 10,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  visit(schema as Schema, value, path, problems, limit);
  // visit stops descending at the limit; one object can still add several at once.
  return problems.slice(0, limit);
}

// The schemas are fixed at build time: each pattern is compiled once, not on every check.
const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source, "u");
    patterns.set(source, re);
  }
  return re;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function fits(type: string, actual: string): boolean {
  return type === actual || (type === "number" && actual === "integer");
}

function visit(schema: Schema, value: unknown, path: string, out: SchemaProblem[], limit: number): void {
  if (out.length >= limit) return;
  const add = (message: string) => out.push({ field: path, message });
  const actual = typeOf(value);
  if (schema.type && !fits(schema.type, actual)) {
    add(`must be of type ${schema.type}, found ${actual}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    add(`unknown value ${JSON.stringify(value)}: use one of ${schema.enum.join(", ")}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      add(`must be at least ${schema.minimum}, found ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      add(`must be at most ${schema.maximum}, found ${value}`);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      add(`must be at least ${schema.minLength} characters long`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      add(`must be at most ${schema.maxLength} characters long`);
    }
    if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) {
      add(`must match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      add(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add(`must have at most ${schema.maxItems} items`);
    const items = schema.items;
    if (items) for (const [i, item] of value.entries()) visit(items, item, `${path}[${i}]`, out, limit);
  }
  if (actual === "object" && !schema["x-kubernetes-preserve-unknown-fields"]) {
    const obj = value as Record<string, unknown>;
    const props = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (obj[name] === undefined) out.push({ field: `${path}.${name}`, message: "is required" });
    }
    for (const [name, child] of Object.entries(obj)) {
      if (child === undefined) continue;
      const childSchema = props[name];
      if (childSchema) visit(childSchema, child, `${path}.${name}`, out, limit);
      else if (schema.additionalProperties === false) {
        out.push({ field: `${path}.${name}`, message: "is not a field this operator knows; remove it" });
      } else if (typeof schema.additionalProperties === "object") {
        visit(schema.additionalProperties, child, `${path}.${name}`, out, limit);
      }
    }
  }
}
