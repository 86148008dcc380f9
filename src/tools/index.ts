export type { JsonSchemaValidate } from "./json-schema-parameters.js";
export type {
  Checked,
  JsonSchemaToolDefinition,
  Tool,
  ToolContext,
  ToolDefinition,
  ToolGate,
} from "./tool.js";
export { tool, toolResultText } from "./tool.js";
