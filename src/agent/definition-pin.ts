import type { AgentRunState, ToolExecutionState } from "../runs/index.js";
import { AGENT_REQUIREMENT_DEFAULTS, newId } from "../runs/index.js";
import type { Tool } from "../tools/index.js";

/**
 * Pinning an approval to the definition it was given for. A tool whose definition can change
 * without kern's code changing (an MCP server's tool) has a `definitionDigest` hook. When one of
 * its calls pauses, the digest is stored with the call; right before an approved call runs, it is
 * asked again, and a call whose tool changed meanwhile does not run: it pauses again, marked
 * `definitionChanged`, for a human to decide under the new definition.
 */

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Stores the digest of a gated call's tool as the call pauses. Returns a problem (the call then
 * fails, unrun, and the model is told) when the digest cannot be had: an approval pinned to
 * nothing could not be checked later.
 */
export async function pinDefinition(execution: ToolExecutionState, tool: Tool): Promise<string | null> {
  if (tool.definitionDigest === undefined) return null;
  try {
    execution.definitionDigest = await tool.definitionDigest();
    return null;
  } catch (error) {
    return `Could not read the definition of tool '${tool.name}', so the call did not run: ${describeFailure(error)}`;
  }
}

/**
 * Right before an approved call runs: true (the call must not run now) when its tool's definition differs from the one pinned
 * at the pause. The call then waits again (`awaiting`, pinned to the new definition) under a new
 * requirement marked `definitionChanged`; the earlier requirement stays frozen with its decision.
 * A digest that cannot be had fails the call, unrun, rather than running it unchecked.
 */
export async function holdIfChanged(
  state: AgentRunState,
  execution: ToolExecutionState,
  tool: Tool | undefined,
): Promise<boolean> {
  const pinned = execution.definitionDigest;
  if (pinned === null || tool?.definitionDigest === undefined) return false;
  let current: string;
  try {
    current = await tool.definitionDigest();
  } catch (error) {
    execution.phase = "done";
    execution.error = `Could not check that tool '${tool.name}' is still as approved, so the call did not run: ${describeFailure(error)}`;
    return true;
  }
  if (current === pinned) return false;
  execution.phase = "awaiting";
  execution.definitionDigest = current;
  state.requirements.push({
    ...AGENT_REQUIREMENT_DEFAULTS,
    id: newId(),
    toolCallId: execution.toolCallId,
    kind: execution.gate === "none" ? "confirmation" : execution.gate,
    definitionChanged: true,
  });
  return true;
}
