import type { RequirementKind, ToolExecutionState } from "./agent-run-state.js";

/** A paused tool call as a UI needs it to ask the question. */
export interface PausedToolCall {
  requirementId: string;
  kind: RequirementKind;
  toolCallId: string;
  toolName: string;
  toolArgs: Record<string, unknown>;
  /** JSON Schema of the values the human must supply (user-input gates). */
  userInputSchema: Record<string, unknown> | null;
}

/** The tool calls of an agent run that wait for a person: what an event or a UI shows of the pause. */
export function pausedToolCalls(
  requirements: ReadonlyArray<{
    id: string;
    kind: RequirementKind;
    toolCallId: string;
    frozen: boolean;
    decision: unknown;
  }>,
  tools: readonly ToolExecutionState[],
): PausedToolCall[] {
  return requirements
    .filter((requirement) => !requirement.frozen && requirement.decision === null)
    .map((requirement) => {
      const execution = tools.find((entry) => entry.toolCallId === requirement.toolCallId);
      return {
        requirementId: requirement.id,
        kind: requirement.kind,
        toolCallId: requirement.toolCallId,
        toolName: execution?.toolName ?? "",
        toolArgs: execution?.toolArgs ?? {},
        userInputSchema: execution?.userInputSchema ?? null,
      };
    });
}
