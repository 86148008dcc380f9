import type { RequirementKind, RequirementState, ToolExecutionState } from "./agent-run-state.js";

/** A paused tool call as a UI needs it to ask the question. */
export interface PausedToolCall {
  requirementId: string;
  kind: RequirementKind;
  toolCallId: string;
  toolName: string;
  toolArgs: Record<string, unknown>;
  /** JSON Schema of the values the human must supply (user-input gates). */
  userInputSchema: Record<string, unknown> | null;
  /** Where the tool comes from (e.g. "mcp:weather"), or null for a tool defined in code. */
  origin: string | null;
  /** True when the call was approved but its tool's definition changed before it ran. */
  definitionChanged: boolean;
  /** Whether a person may approve the call with edited arguments (`{"type":"confirm","args":{...}}`). */
  editableArgs: boolean;
  /**
   * The names from the paused run's agent through each agent it called as a tool to the tool:
   * `["Planner", "Researcher", "web_search"]` (`["AlertAgent", "send_alert"]` for its own call).
   */
  path: string[];
}

/** One gated call as the pause holds it: its requirement, the call, and the path to it. */
export interface PausedCallEntry {
  requirement: Pick<RequirementState, "id" | "kind" | "toolCallId" | "frozen" | "decision" | "definitionChanged">;
  execution: ToolExecutionState;
  path: readonly string[];
}

/** The tool calls of an agent run (or an executor pause) that wait for a person: what an event or a UI shows of the pause. */
export function pausedToolCalls(entries: readonly PausedCallEntry[]): PausedToolCall[] {
  return entries
    .filter(({ requirement }) => !requirement.frozen && requirement.decision === null)
    .map(({ requirement, execution, path }) => ({
      requirementId: requirement.id,
      kind: requirement.kind,
      toolCallId: requirement.toolCallId,
      toolName: execution.toolName,
      toolArgs: execution.toolArgs,
      userInputSchema: execution.userInputSchema ?? null,
      origin: execution.origin ?? null,
      definitionChanged: requirement.definitionChanged,
      editableArgs: execution.editableArgs,
      path: [...path],
    }));
}

/**
 * A tool call in a sentence of a summary or question: its name (with its arguments when given),
 * where the tool comes from, and whether its definition changed since the call was approved.
 */
export function describeToolCall(
  execution: Pick<ToolExecutionState, "toolName" | "origin"> | undefined,
  definitionChanged: boolean,
  args?: Record<string, unknown>,
): string {
  const called = `${execution?.toolName ?? "a tool"}${args === undefined ? "" : `(${JSON.stringify(args)})`}`;
  const origin = execution?.origin === null || execution?.origin === undefined ? "" : ` on ${execution.origin}`;
  return `${called}${origin}${definitionChanged ? " (its definition changed since it was approved)" : ""}`;
}
