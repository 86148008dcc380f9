import { ConfigurationError } from "../errors.js";
import { checkValues } from "../runs/index.js";
import type { ToolParameters } from "./tool-parameters.js";

/**
 * Checks a tool's arguments against its JSON Schema: returns a readable problem, or null when
 * they fit. An MCP tool passes a full JSON Schema validator here.
 */
export type JsonSchemaValidate = (args: Record<string, unknown>) => string | null;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A tool's parameters given as JSON Schema (a tool defined elsewhere, such as on an MCP server).
 * The model sees the schema as it is, outside strict mode: strict mode accepts only a subset of
 * JSON Schema, and a schema kern did not write may use the rest. Without `validate`, the model's
 * arguments are checked at the top level only (required keys, types, enums).
 */
export function jsonSchemaParameters(
  name: string,
  inputSchema: unknown,
  validate: JsonSchemaValidate | undefined,
): ToolParameters {
  if (!isObject(inputSchema) || (inputSchema["type"] !== undefined && inputSchema["type"] !== "object")) {
    throw new ConfigurationError(
      `Tool '${name}' needs inputSchema: the JSON Schema of an object, e.g. { type: "object", properties: {...} }.`,
    );
  }
  if (validate !== undefined && typeof validate !== "function") {
    throw new ConfigurationError(`Tool '${name}': validate must be a function (args) => problem or null.`);
  }
  const { $schema: _dialect, ...schema } = inputSchema;
  const parameters: Record<string, unknown> = { ...schema, type: "object" };
  const check: JsonSchemaValidate =
    validate ??
    ((args) => {
      const problems = checkValues(args, parameters);
      return problems.length === 0 ? null : problems.join("; ");
    });
  return {
    userInputFields: [],
    modelSchema: () => ({ parameters, strict: false }),
    userInputJsonSchema: () => null,
    checkArguments: (raw) => {
      if (!isObject(raw)) return { ok: false, problem: "(root): expected an object of arguments" };
      const problem = check(raw);
      return problem === null ? { ok: true, value: raw } : { ok: false, problem };
    },
    checkUserInput: () => ({ ok: false, problem: `tool '${name}' asks no user input` }),
    parse: (args) => args,
  };
}
