import { ConfigurationError } from "../errors.js";
import { type Tool, tool } from "../tools/index.js";
import type { Agent } from "./agent.js";

/** What `agent.asTool()` takes: the name and description the calling agent's model sees. */
export interface AgentToolOptions {
  /** The tool's name (1-64 letters, digits, '_' or '-'); defaults to the agent's name, made to fit. */
  name?: string;
  /** What the calling model is told the agent does; defaults to the agent's description. */
  description?: string;
}

const AS_TOOL_OPTIONS: ReadonlySet<string> = new Set(["name", "description"]);

/** The agent's name as a tool name: characters a tool name cannot hold become '_'. */
function toolNameOf(agentName: string): string {
  const name = agentName.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return name === "" ? "agent" : name;
}

/**
 * The tool another agent calls to run `agent` on a task (see Agent.asTool). Each call runs the
 * agent inside the calling run: kern's agent loop recognises the tool by its `agent` and drives the
 * sub-run itself, so `execute` never runs.
 */
export function agentTool(agent: Agent, options: AgentToolOptions): Tool {
  if (typeof options !== "object" || options === null) {
    throw new ConfigurationError(`agent.asTool() takes { name?, description? }; got ${String(options)}.`);
  }
  const unknown = Object.keys(options).filter((key) => !AS_TOOL_OPTIONS.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `agent.asTool() does not support ${unknown.map((key) => `'${key}'`).join(", ")}; supported options: name, description.`,
    );
  }
  const name = options.name ?? toolNameOf(agent.name);
  const description =
    options.description ?? agent.description ?? `Ask agent '${agent.name}' to do a task; it answers in text.`;
  const base = tool({
    name,
    description,
    inputSchema: {
      type: "object",
      properties: {
        input: { type: "string", description: "The task for the agent, with everything it needs to know." },
      },
      required: ["input"],
      additionalProperties: false,
    },
    execute: () => {
      throw new Error(`kern internal error: tool '${name}' runs agent '${agent.name}' in its caller's run.`);
    },
  });
  return { ...base, agent };
}

/**
 * The tool a requirement's `path` leads to from an agent's tools: through each agent it names in
 * between (called with a tool made by `asTool()`) to the tool it ends with. `path[0]` names the
 * agent whose `tools` are given; a path of one or two names is that agent's own tool.
 */
export function toolAtPath(tools: ReadonlyMap<string, Tool>, path: readonly string[]): Tool | undefined {
  const owner = ownerAtPath(tools, path);
  const toolName = path.at(-1);
  return owner === undefined || toolName === undefined ? undefined : owner.tools.get(toolName);
}

/**
 * The agent whose tool a `path` ends at, starting from `agent` (`path[0]`): the last agent it
 * names, reached through tools made by `asTool()`; `agent` itself for its own tool.
 */
export function agentAtPath(agent: Agent, path: readonly string[]): Agent | undefined {
  return path.length <= 2 ? agent : ownerAtPath(agent.tools, path)?.agent;
}

function ownerAtPath(
  tools: ReadonlyMap<string, Tool>,
  path: readonly string[],
): { tools: ReadonlyMap<string, Tool>; agent?: Agent } | undefined {
  let owner: { tools: ReadonlyMap<string, Tool>; agent?: Agent } = { tools };
  for (const agentName of path.slice(1, -1)) {
    const via = [...owner.tools.values()].find((entry) => entry.agent?.name === agentName)?.agent;
    if (via === undefined) return undefined;
    owner = { tools: via.tools, agent: via };
  }
  return owner;
}
