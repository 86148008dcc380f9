import { ConfigurationError } from "../errors.js";
import type { AgentRunState } from "../runs/index.js";
import { fingerprintOf } from "../runs/index.js";
import type { Tool } from "../tools/index.js";

/**
 * What an agent run depends on: the agent's id and each tool's name, gate and parameters (the
 * schema the model fills and the values a human supplies). Descriptions, instructions and the
 * model are left out: changing them changes no decision a person made. A tool whose definition
 * lives elsewhere (`definitionDigest`, e.g. an MCP server's) is described by its origin instead of
 * its parameters: the server may change them at any time, and each paused call's approval is
 * pinned to its definition on its own (agent/definition-pin.ts).
 */
export function agentFingerprint(agentId: string, tools: ReadonlyMap<string, Tool>): string {
  if (describing.has(agentId))
    throw new ConfigurationError(
      `Agent '${agentId}' reaches itself through its tools (agent.asTool()): an agent cannot run inside its own run; remove it from its sub-agents' tools.`,
    );
  describing.add(agentId);
  try {
    return describeAgent(agentId, tools);
  } finally {
    describing.delete(agentId);
  }
}

/** The agents whose fingerprint is being computed now: a sub-agent that is one of them is a cycle. */
const describing = new Set<string>();

function describeAgent(agentId: string, tools: ReadonlyMap<string, Tool>): string {
  const described = [...tools.values()]
    .map((tool) => ({
      name: tool.name,
      gate: tool.gate,
      stopAfterToolCall: tool.stopAfterToolCall,
      // An agent used as a tool: its runs live in this agent's, so its definition is part of this one.
      ...(tool.agent === undefined ? {} : { agent: tool.agent.fingerprint }),
      ...(tool.definitionDigest === undefined
        ? { parameters: tool.modelSpec().parameters, userInput: tool.userInputJsonSchema() }
        : { origin: tool.origin }),
    }))
    .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return fingerprintOf({ kind: "agent", id: agentId, tools: described });
}

/**
 * Why a decision stored in `state` cannot be applied with `tools`, or null when every call still
 * waiting (or decided and not yet run) names a tool that exists with the same gate. Checked even
 * when a changed definition is allowed: an approval is never applied to another tool.
 */
export function incompatibleCalls(state: AgentRunState, tools: ReadonlyMap<string, Tool>): string | null {
  const open = new Set(state.cursor?.toolCallIds ?? []);
  for (const execution of state.tools) {
    if (!open.has(execution.toolCallId) || execution.phase === "done" || execution.phase === "rejected") continue;
    const tool = tools.get(execution.toolName);
    if (tool === undefined) return `tool '${execution.toolName}' is no longer defined`;
    if (execution.gate !== "none" && tool.gate !== execution.gate) {
      return `tool '${execution.toolName}' was gated by ${execution.gate} and now by ${tool.gate}`;
    }
    // A sub-run still going is continued by the agent the tool runs now: its calls must fit that agent.
    if (execution.subRun === null) continue;
    if (tool.agent === undefined) return `tool '${execution.toolName}' no longer runs an agent`;
    const inner = incompatibleCalls(execution.subRun, tool.agent.tools);
    if (inner !== null) return `${inner} (in agent '${tool.agent.name}')`;
  }
  return null;
}
