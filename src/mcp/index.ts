/**
 * `kern/mcp`: the tools of a Model Context Protocol server as kern tools, through the official
 * `@modelcontextprotocol/sdk` client. This is the only folder that imports the SDK, so programs
 * that never use MCP never load it.
 *
 * @example
 * ```ts
 * import { mcpTools } from "kern/mcp";
 *
 * const tools = await mcpTools(() => connectWeatherClient(), { name: "weather" });
 * ```
 */

export type { McpClientSource, McpGate, McpToolsOptions } from "./mcp-tools.js";
export { mcpTools } from "./mcp-tools.js";
