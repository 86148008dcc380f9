/**
 * A small check of human-supplied values against the flat JSON Schemas kern itself emits for
 * user input (an object of string / number / integer / boolean / array / object fields, with
 * `required` and `enum`). It lets a requirement reject bad values the moment they are given,
 * even after a database round trip where no zod schema is at hand.
 */

type JsonSchema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function fits(value: unknown, schema: JsonSchema): boolean {
  const allowed = schema["type"];
  const types = Array.isArray(allowed) ? allowed : typeof allowed === "string" ? [allowed] : [];
  const actual = typeOf(value);
  const typeOk = types.length === 0 || types.includes(actual) || (actual === "integer" && types.includes("number"));
  const choices = schema["enum"];
  const enumOk = !Array.isArray(choices) || choices.some((choice) => choice === value);
  const variants = schema["anyOf"];
  const anyOfOk =
    !Array.isArray(variants) ||
    variants.some((variant) => typeof variant === "object" && variant !== null && fits(value, variant as JsonSchema));
  return typeOk && enumOk && anyOfOk;
}

function describeExpected(schema: JsonSchema): string {
  const choices = schema["enum"];
  if (Array.isArray(choices)) return `one of ${choices.map((choice) => JSON.stringify(choice)).join(", ")}`;
  const type = schema["type"];
  return Array.isArray(type) ? type.join(" or ") : typeof type === "string" ? `a ${type}` : "a valid value";
}

/** Returns one readable problem per bad field; an empty list means the values fit. */
export function checkValues(values: Record<string, unknown>, schema: JsonSchema): string[] {
  const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(schema["required"]) ? (schema["required"] as string[]) : [];
  const problems: string[] = [];
  for (const name of required) {
    if (!Object.hasOwn(values, name) || values[name] === undefined) problems.push(`'${name}' is required`);
  }
  for (const [name, value] of Object.entries(values)) {
    const property = properties[name];
    if (property === undefined) {
      problems.push(`'${name}' is not an expected field (expected: ${Object.keys(properties).join(", ")})`);
    } else if (value !== undefined && !fits(value, property)) {
      problems.push(`'${name}' must be ${describeExpected(property)}, got ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
