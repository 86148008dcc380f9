import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { JsonSchemaValidate } from "../tools/index.js";

let shared: AjvJsonSchemaValidator | undefined;

/**
 * Checks arguments against an MCP tool's input schema with the SDK's JSON Schema validator (Ajv),
 * compiled on first use. A schema Ajv cannot compile is left to the server to enforce: the
 * returned check then passes everything, and kern's tool checks only that the arguments are an object.
 */
export function inputValidator(inputSchema: Record<string, unknown>): JsonSchemaValidate {
  let check: ((args: unknown) => string | null) | undefined;
  return (args) => {
    check ??= compile(inputSchema);
    return check(args);
  };
}

function compile(inputSchema: Record<string, unknown>): (args: unknown) => string | null {
  // The dialect is left out: Ajv's default instance knows draft-07 only, and refuses a schema
  // that names another, although the keywords MCP servers use mean the same in both.
  const { $schema: _dialect, ...schema } = inputSchema;
  try {
    shared ??= new AjvJsonSchemaValidator();
    const validate = shared.getValidator(schema);
    return (args) => {
      const result = validate(args);
      return result.valid ? null : result.errorMessage;
    };
  } catch {
    return () => null;
  }
}
