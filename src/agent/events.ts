import type { RequirementKind, ToolExecutionState } from "../runs/index.js";

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

/** Everything an agent run reports while it runs, discriminated by `event`. */
export type AgentEvent =
  | { event: "RunStarted"; runId: string; sessionId: string; agentName: string }
  | { event: "RunContinued"; runId: string; sessionId: string; agentName: string }
  | { event: "RunContent"; runId: string; agentName: string; delta: string }
  | { event: "ToolCallStarted"; runId: string; agentName: string; toolCallId: string; toolName: string; toolArgs: Record<string, unknown> }
  | { event: "ToolCallCompleted"; runId: string; agentName: string; toolCallId: string; toolName: string; result: string | null; error: string | null }
  | { event: "RunPaused"; runId: string; sessionId: string; agentName: string; requirements: PausedToolCall[] }
  | { event: "RunCompleted"; runId: string; sessionId: string; agentName: string; content: string | null }
  | { event: "RunCancelled"; runId: string; sessionId: string; agentName: string; reason: string }
  | { event: "RunError"; runId: string; sessionId: string; agentName: string; error: { code: string; message: string } };

export type AgentEventName = AgentEvent["event"];

/** Receives events as they happen. */
export type AgentEventListener = (event: AgentEvent) => void;

export function pausedToolCalls(
  requirements: ReadonlyArray<{ id: string; kind: RequirementKind; toolCallId: string; frozen: boolean; decision: unknown }>,
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
