export { tool, toolResultText } from "./tool.js";
export type { Checked, Tool, ToolContext, ToolDefinition, ToolGate } from "./tool.js";
