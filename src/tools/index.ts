export type { Checked, Tool, ToolContext, ToolDefinition, ToolGate } from "./tool.js";
export { tool, toolResultText } from "./tool.js";
