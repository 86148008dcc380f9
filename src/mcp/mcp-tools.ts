import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { ConfigurationError } from "../errors.js";
import { fingerprintOf } from "../runs/index.js";
import { type JsonSchemaToolDefinition, type Tool, tool } from "../tools/index.js";
import { callResultText } from "./call-result.js";
import { McpConnection } from "./connection.js";
import { inputValidator } from "./validator.js";

/** The gates an MCP tool can take: `"confirmation"` pauses each call until a human decides. */
export type McpGate = "none" | "confirmation";

/**
 * The MCP client kern calls: a connected `Client`, or a function returning one. With a function,
 * kern calls it on first use and again whenever that client has closed, in every process: the
 * process that continues a paused run reconnects through it.
 */
export type McpClientSource = Client | (() => Promise<Client>);

export interface McpToolsOptions {
  /** The server's name: each of its tools' calls shows `origin: "mcp:<name>"` (default: the name the server reports). */
  name?: string;
  /**
   * Which tools a human gates (by their MCP names): a list (exactly those), or a function of each
   * tool as the server lists it. Default: every tool but those that declare
   * `annotations.readOnlyHint: true`.
   */
  gate?: readonly string[] | ((tool: McpTool) => boolean | McpGate);
  /** The name the model calls a tool by (default: its MCP name, which must then fit kern's rule). */
  toolName?: (name: string) => string;
  /** Who may decide the gated tools' calls; see tool(). */
  approvers?: JsonSchemaToolDefinition["approvers"];
  /** False refuses a decision by the principal who started the run; see tool(). */
  allowSelfApproval?: boolean;
  /** What happens when nobody decides a gated call in time (`{ after, then }`); see tool(). */
  timeout?: JsonSchemaToolDefinition["timeout"];
  /** Decides the gated tools' calls without a person when it can; see tool(). */
  policy?: JsonSchemaToolDefinition["policy"];
  /** False: the gated calls may only be approved as proposed, never with edited arguments; see tool(). */
  editableArgs?: boolean;
}

/** The names a model can call (OpenAI's function names), which tool() requires too. */
const KERN_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const OPTIONS = new Set([
  "name",
  "gate",
  "toolName",
  "approvers",
  "allowSelfApproval",
  "timeout",
  "policy",
  "editableArgs",
]);

/** The options once the server's name is known. */
type Resolved = McpToolsOptions & { name: string };

/** What a paused call's approval is pinned to: the tool's name, description and input schema. */
function definitionDigestOf(definition: McpTool | undefined): string {
  if (definition === undefined) return "absent";
  const { name, description, inputSchema } = definition;
  return fingerprintOf({ name, description: description ?? null, inputSchema });
}

function checkOptions(client: unknown, options: McpToolsOptions): void {
  const unknown = Object.keys(options).filter((key) => !OPTIONS.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `mcpTools() does not support ${unknown.map((key) => `'${key}'`).join(", ")}; supported options: ${[...OPTIONS].join(", ")}.`,
    );
  }
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    throw new ConfigurationError(
      `mcpTools() options.name must be the server's name, e.g. "weather" (shown as mcp:weather).`,
    );
  }
  if (typeof client !== "function" && (typeof client !== "object" || client === null || !("callTool" in client))) {
    throw new ConfigurationError(
      "mcpTools() needs a connected MCP Client, or an async function returning one (so another process can reconnect).",
    );
  }
}

/** The server's name: the option, else what the server reported when it connected. */
async function serverName(connection: McpConnection, options: McpToolsOptions): Promise<string> {
  if (options.name !== undefined) return options.name;
  const reported = (await connection.client()).getServerVersion()?.name;
  if (typeof reported === "string" && reported !== "") return reported;
  throw new ConfigurationError(
    'The MCP server reported no name; give one: mcpTools(client, { name: "weather" }) (calls show it as mcp:weather).',
  );
}

/** The gate of each listed tool, by its MCP name. */
function gatesOf(options: Resolved, listed: readonly McpTool[]): Map<string, boolean> {
  const { gate } = options;
  if (Array.isArray(gate)) {
    const names = new Set(listed.map((entry) => entry.name));
    const unknown = gate.filter((name) => !names.has(name));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `mcpTools() for server '${options.name}' gates ${unknown.map((name) => `'${name}'`).join(", ")}, which the server does not list; its tools: ${[...names].join(", ") || "none"}.`,
      );
    }
  }
  const gated = (entry: McpTool): boolean => {
    if (gate === undefined) return entry.annotations?.readOnlyHint !== true;
    if (typeof gate === "function") {
      const answer = gate(entry);
      return answer === true || answer === "confirmation";
    }
    return gate.includes(entry.name);
  };
  return new Map(listed.map((entry) => [entry.name, gated(entry)]));
}

/** One MCP tool as a kern tool: called on the server, its definition pinned when a call pauses. */
function kernTool(options: Resolved, connection: McpConnection, definition: McpTool, gated: boolean): Tool {
  const mcpName = definition.name;
  const name = options.toolName?.(mcpName) ?? mcpName;
  if (typeof name !== "string" || !KERN_TOOL_NAME.test(name)) {
    throw new ConfigurationError(
      `MCP tool '${mcpName}' of server '${options.name}' would be called ${JSON.stringify(name)}, which a model cannot call ` +
        `(use 1-64 letters, digits, '_' or '-'); map it with toolName, e.g. toolName: (name) => name.replaceAll(".", "_").`,
    );
  }
  const { approvers, allowSelfApproval, timeout, policy, editableArgs } = options;
  const governance = gated
    ? {
        ...(approvers === undefined ? {} : { approvers }),
        ...(allowSelfApproval === undefined ? {} : { allowSelfApproval }),
        ...(timeout === undefined ? {} : { timeout }),
        ...(policy === undefined ? {} : { policy }),
        ...(editableArgs === undefined ? {} : { editableArgs }),
      }
    : {};
  return tool({
    name,
    description: definition.description ?? definition.title ?? "",
    inputSchema: definition.inputSchema,
    validate: inputValidator(definition.inputSchema),
    requiresConfirmation: gated,
    ...governance,
    origin: `mcp:${options.name}`,
    definitionDigest: async () =>
      definitionDigestOf((await connection.listTools()).find((entry) => entry.name === mcpName)),
    execute: async (args, context) => {
      const client = await connection.client();
      const result = await client.callTool({ name: mcpName, arguments: args }, undefined, {
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      return callResultText(result);
    },
  });
}

/**
 * The tools of an MCP server as kern tools. Each call of a gated tool pauses for a human; the
 * approval is pinned to the tool's definition (name, description, input schema) as the server
 * listed it at the pause: if the server changes it before the call runs, the call comes back to
 * a human marked `definitionChanged` instead of running.
 *
 * @example
 * const tools = await mcpTools(
 *   async () => {
 *     const client = new Client({ name: "my-app", version: "1.0.0" });
 *     await client.connect(new StdioClientTransport({ command: "weather-server" }));
 *     return client;
 *   },
 *   { name: "weather" },
 * );
 * const agent = new Agent({ name: "Forecaster", model, tools, db });
 */
export async function mcpTools(client: McpClientSource, options: McpToolsOptions = {}): Promise<Tool[]> {
  checkOptions(client, options);
  const connect = typeof client === "function" ? client : async (): Promise<Client> => client;
  const connection = new McpConnection(connect);
  const resolved: Resolved = { ...options, name: await serverName(connection, options) };
  const listed = await connection.listTools();
  const gates = gatesOf(resolved, listed);
  const tools = listed.map((definition) =>
    kernTool(resolved, connection, definition, gates.get(definition.name) === true),
  );
  const names = tools.map((entry) => entry.name);
  const clash = names.find((name, index) => names.indexOf(name) !== index);
  if (clash !== undefined) {
    throw new ConfigurationError(
      `mcpTools() gives two tools of server '${resolved.name}' the name '${clash}'; pick distinct names with toolName.`,
    );
  }
  return tools;
}
