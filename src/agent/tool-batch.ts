import { newId } from "../runs/new-id.js";
import { ModelError } from "../errors.js";
import type { ModelToolCall } from "../models/index.js";
import type { AgentRunState, RequirementState, ToolExecutionState } from "../runs/index.js";
import type { Tool, ToolContext } from "../tools/index.js";
import type { AgentEventListener } from "./events.js";

/** What the tool-running code needs from the agent and the current call. */
export interface BatchContext {
  agentName: string;
  provider: string;
  tools: ReadonlyMap<string, Tool>;
  signal: AbortSignal | undefined;
  emit: AgentEventListener | undefined;
}

function toolContext(state: AgentRunState, toolCallId: string, context: BatchContext): ToolContext {
  return {
    runId: state.runId,
    sessionId: state.sessionId,
    toolCallId,
    agentName: context.agentName,
    signal: context.signal,
  };
}

/** Runs one tool call and stores its outcome; a tool that throws sends its error to the model. */
async function execute(state: AgentRunState, execution: ToolExecutionState, context: BatchContext): Promise<void> {
  const tool = context.tools.get(execution.toolName);
  execution.phase = "running";
  const { runId } = state;
  const { agentName } = context;
  const { toolCallId, toolName, toolArgs } = execution;
  context.emit?.({ event: "ToolCallStarted", runId, agentName, toolCallId, toolName, toolArgs });
  try {
    if (tool === undefined) throw new Error(`Tool '${execution.toolName}' is no longer defined on this agent.`);
    execution.result = await tool.run(execution.toolArgs, toolContext(state, execution.toolCallId, context));
  } catch (error) {
    execution.error = error instanceof Error ? error.message : String(error);
  }
  execution.phase = "done";
  context.emit?.({ event: "ToolCallCompleted", runId, agentName, toolCallId, toolName, result: execution.result, error: execution.error });
}

function parseArguments(call: ModelToolCall, context: BatchContext): unknown {
  try {
    return call.arguments.trim() === "" ? {} : (JSON.parse(call.arguments) as unknown);
  } catch (error) {
    throw new ModelError(
      `The model sent malformed JSON arguments for tool '${call.name}' (call ${call.id}): ${call.arguments.slice(0, 200)}`,
      { provider: context.provider, cause: error },
    );
  }
}

function newExecution(call: ModelToolCall, args: Record<string, unknown>, tool: Tool | undefined): ToolExecutionState {
  return {
    toolCallId: call.id,
    toolName: call.name,
    toolArgs: args,
    phase: "done",
    result: null,
    error: null,
    gate: tool?.gate ?? "none",
    userInputSchema: tool?.userInputJsonSchema() ?? null,
  };
}

/**
 * Records the model's tool calls, runs the ungated ones, and opens a requirement for each gated
 * one. Returns true when the run must pause for a human.
 */
export async function startToolBatch(
  state: AgentRunState,
  calls: readonly ModelToolCall[],
  context: BatchContext,
): Promise<boolean> {
  const executions: ToolExecutionState[] = [];
  for (const call of calls) {
    const raw = parseArguments(call, context);
    const tool = context.tools.get(call.name);
    const checked = tool?.checkArguments(raw);
    const args = checked?.ok === true ? checked.value : typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const execution = newExecution(call, args, tool);
    state.tools.push(execution);
    executions.push(execution);
    if (tool === undefined) {
      execution.error = `Tool '${call.name}' does not exist; available tools: ${[...context.tools.keys()].join(", ") || "none"}.`;
    } else if (checked?.ok === false) {
      execution.error = `Invalid arguments for tool '${call.name}': ${checked.problem}`;
    } else if (tool.gate !== "none") {
      execution.phase = "awaiting";
      const requirement: RequirementState = { id: newId(), toolCallId: call.id, kind: tool.gate, resolution: null, frozen: false, recovered: false };
      state.requirements.push(requirement);
    }
  }
  for (const execution of executions) {
    if (execution.phase === "done" && execution.error === null) await execute(state, execution, context);
  }
  const paused = executions.some((execution) => execution.phase === "awaiting");
  if (paused) {
    state.cursor = { phase: "tools", toolCallIds: calls.map((call) => call.id) };
  }
  return paused;
}

/**
 * Before the claim: marks every approved call of the paused batch as `running`, so the claim's
 * write records that it may start. A crash after the claim leaves these calls uncertain rather
 * than silently runnable again.
 */
export function markApprovedCalls(state: AgentRunState): void {
  const pending = new Set(state.cursor?.toolCallIds ?? []);
  for (const requirement of state.requirements) {
    if (!pending.has(requirement.toolCallId) || requirement.frozen) continue;
    const execution = state.tools.find((entry) => entry.toolCallId === requirement.toolCallId);
    if (execution?.phase === "awaiting" && requirement.resolution?.type !== "rejected") {
      execution.phase = "running";
    }
  }
}

function rejectionText(note: string | null, recovered: boolean): string {
  const base = recovered
    ? "This tool call may or may not have run before the process running it stopped; the user chose not to run it again."
    : "The user rejected this tool call; it was not executed.";
  return note === null || note === "" ? base : `${base} Note from the user: ${note}`;
}

/** Applies the human's decisions to the paused batch and runs what was approved, once each. */
export async function resumeToolBatch(state: AgentRunState, context: BatchContext): Promise<void> {
  const pending = new Set(state.cursor?.toolCallIds ?? []);
  for (const requirement of state.requirements) {
    if (!pending.has(requirement.toolCallId) || requirement.frozen) continue;
    const execution = state.tools.find((entry) => entry.toolCallId === requirement.toolCallId);
    const resolution = requirement.resolution;
    requirement.frozen = true;
    if (execution === undefined || resolution === null || execution.phase === "done") continue;
    switch (resolution.type) {
      case "rejected":
        execution.phase = "rejected";
        execution.result = rejectionText(resolution.note, requirement.recovered);
        break;
      case "externalResult":
        execution.phase = "done";
        execution.result = resolution.result;
        break;
      case "userInput":
        execution.toolArgs = { ...execution.toolArgs, ...resolution.values };
        await execute(state, execution, context);
        break;
      case "confirmed":
        await execute(state, execution, context);
        break;
      default: {
        const unreachable: never = resolution;
        throw new Error(`Unknown resolution ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/**
 * Appends one tool message per call of the batch, in call order, so the provider never sees a
 * dangling call. Returns the results of tools that end the run (`stopAfterToolCall`), if any.
 */
export function finishToolBatch(state: AgentRunState, calls: readonly ModelToolCall[], tools: ReadonlyMap<string, Tool>): string[] {
  const stopResults: string[] = [];
  for (const call of calls) {
    const execution = state.tools.find((entry) => entry.toolCallId === call.id);
    const content = execution === undefined ? "" : execution.error !== null ? `Error: ${execution.error}` : (execution.result ?? "");
    state.messages.push({ role: "tool", toolCallId: call.id, toolName: call.name, content });
    if (execution?.phase === "done" && execution.error === null && tools.get(call.name)?.stopAfterToolCall === true) {
      stopResults.push(content);
    }
  }
  state.cursor = null;
  return stopResults;
}
