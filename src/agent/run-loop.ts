import { MaxTurnsExceededError, ModelError } from "../errors.js";
import type { Model, ModelResponse, ModelToolCall } from "../models/index.js";
import type { AgentRunState } from "../runs/index.js";
import { finishToolBatch, resumeToolBatch, startToolBatch, type BatchContext } from "./tool-batch.js";

/** What one drive of the loop needs from the agent. */
export interface LoopContext extends BatchContext {
  model: Model;
  instructions: string | undefined;
  maxTurns: number;
}

async function callModel(state: AgentRunState, context: LoopContext): Promise<ModelResponse> {
  try {
    return await context.model.generate({
      instructions: context.instructions,
      messages: state.messages,
      tools: [...context.tools.values()].map((tool) => tool.modelSpec()),
      signal: context.signal,
    });
  } catch (error) {
    if (error instanceof ModelError || (error instanceof Error && error.name === "AbortError")) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ModelError(`Model '${context.model.id}' failed: ${message}`, {
      provider: context.model.provider,
      cause: error,
    });
  }
}

function lastToolCalls(state: AgentRunState): ModelToolCall[] {
  for (let index = state.messages.length - 1; index >= 0; index -= 1) {
    const message = state.messages[index];
    if (message?.role === "assistant") return message.toolCalls;
  }
  return [];
}

function complete(state: AgentRunState, content: string): void {
  state.status = "completed";
  state.content = content;
}

/**
 * Drives a run until it completes or pauses: resumes the paused tool batch if there is one,
 * then alternates model turns and tool batches. Mutates `state`; the caller persists it.
 */
export async function driveAgentRun(state: AgentRunState, context: LoopContext): Promise<void> {
  state.status = "running";
  if (state.cursor !== null) {
    const calls = lastToolCalls(state).filter((call) => state.cursor?.toolCallIds.includes(call.id));
    await resumeToolBatch(state, context);
    const stopResults = finishToolBatch(state, calls, context.tools);
    if (stopResults.length > 0) return complete(state, stopResults.join("\n"));
  }
  for (;;) {
    if (state.turns >= context.maxTurns) {
      throw new MaxTurnsExceededError(state.agentName, context.maxTurns);
    }
    context.signal?.throwIfAborted();
    state.turns += 1;
    const response = await callModel(state, context);
    state.messages.push({ role: "assistant", content: response.text, toolCalls: response.toolCalls });
    if (response.toolCalls.length === 0) return complete(state, response.text);
    const paused = await startToolBatch(state, response.toolCalls, context);
    if (paused) {
      state.status = "paused";
      return;
    }
    const stopResults = finishToolBatch(state, response.toolCalls, context.tools);
    if (stopResults.length > 0) return complete(state, stopResults.join("\n"));
  }
}
