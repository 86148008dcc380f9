/**
 * Turns the JSON Schema zod emits into one OpenAI's strict function mode accepts: every object
 * closes (`additionalProperties: false`) and lists every key in `required`; keys that were
 * optional become nullable instead; `oneOf` becomes `anyOf`; `$schema` and `default` go.
 * {@link dropNullOptionals} undoes the nullable trick on the model's arguments.
 */

type JsonSchema = Record<string, unknown>;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function makeNullable(schema: JsonSchema): JsonSchema {
  const type = schema["type"];
  if (typeof type === "string" && schema["enum"] === undefined) {
    return { ...schema, type: [type, "null"] };
  }
  if (Array.isArray(type) && schema["enum"] === undefined) {
    return type.includes("null") ? schema : { ...schema, type: [...type, "null"] };
  }
  return { anyOf: [schema, { type: "null" }] };
}

function strictObject(schema: JsonSchema): JsonSchema {
  const properties = isSchema(schema["properties"]) ? schema["properties"] : {};
  const required = new Set(Array.isArray(schema["required"]) ? schema["required"] : []);
  const strictProperties: JsonSchema = {};
  for (const [key, child] of Object.entries(properties)) {
    const strictChild = toStrictJsonSchema(isSchema(child) ? child : {});
    strictProperties[key] = required.has(key) ? strictChild : makeNullable(strictChild);
  }
  return {
    ...schema,
    properties: strictProperties,
    required: Object.keys(strictProperties),
    additionalProperties: false,
  };
}

/** Returns a strict-mode copy of a draft-7 JSON Schema produced by `z.toJSONSchema`. */
export function toStrictJsonSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, default: _default, oneOf, ...rest } = schema;
  let result: JsonSchema = oneOf === undefined ? rest : { ...rest, anyOf: oneOf };
  if (result["type"] === "object" || isSchema(result["properties"])) {
    result = strictObject(result);
  }
  if (isSchema(result["items"])) {
    result = { ...result, items: toStrictJsonSchema(result["items"]) };
  }
  for (const key of ["anyOf", "allOf"] as const) {
    const variants = result[key];
    if (Array.isArray(variants)) {
      result = { ...result, [key]: variants.map((variant) => toStrictJsonSchema(isSchema(variant) ? variant : {})) };
    }
  }
  for (const key of ["definitions", "$defs"] as const) {
    const definitions = result[key];
    if (isSchema(definitions)) {
      const strictDefinitions: JsonSchema = {};
      for (const [name, definition] of Object.entries(definitions)) {
        strictDefinitions[name] = toStrictJsonSchema(isSchema(definition) ? definition : {});
      }
      result = { ...result, [key]: strictDefinitions };
    }
  }
  return result;
}

/**
 * Removes `null` values the model sent for keys that the original (non-strict) schema marks
 * optional, so zod sees them as absent and applies its defaults.
 */
export function dropNullOptionals(value: unknown, original: JsonSchema): unknown {
  if (Array.isArray(value)) {
    const items = original["items"];
    return isSchema(items) ? value.map((item) => dropNullOptionals(item, items)) : value;
  }
  if (!isSchema(value) || !isSchema(original["properties"])) {
    return value;
  }
  const properties = original["properties"];
  const required = new Set(Array.isArray(original["required"]) ? original["required"] : []);
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null && !required.has(key)) continue;
    const childSchema = properties[key];
    result[key] = isSchema(childSchema) ? dropNullOptionals(child, childSchema) : child;
  }
  return result;
}
