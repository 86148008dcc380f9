import { MaxTurnsExceededError, ModelError } from "../errors.js";
import type { Model, ModelRequest, ModelResponse, ModelToolCall } from "../models/index.js";
import { isAbort, type AgentRunState } from "../runs/index.js";
import { finishToolBatch, resumeToolBatch, startToolBatch, type BatchContext } from "./tool-batch.js";

/** What one drive of the loop needs from the agent. */
export interface LoopContext extends BatchContext {
  model: Model;
  instructions: string | undefined;
  maxTurns: number;
  /** Use the model's streaming API, reporting text deltas as RunContent events. */
  stream: boolean;
}

async function streamModel(state: AgentRunState, context: LoopContext, request: ModelRequest): Promise<ModelResponse> {
  let response: ModelResponse | undefined;
  for await (const part of context.model.stream(request)) {
    if (part.type === "text-delta") {
      context.emit?.({ event: "RunContent", runId: state.runId, agentName: context.agentName, delta: part.delta });
    } else {
      response = part.response;
    }
  }
  if (response === undefined) {
    throw new ModelError(`Model '${context.model.id}' ended its stream without a final response.`, { provider: context.model.provider });
  }
  return response;
}

async function callModel(state: AgentRunState, context: LoopContext): Promise<ModelResponse> {
  const request: ModelRequest = {
    instructions: context.instructions,
    messages: state.messages,
    tools: [...context.tools.values()].map((tool) => tool.modelSpec()),
    signal: context.signal,
  };
  try {
    return context.stream ? await streamModel(state, context, request) : await context.model.generate(request);
  } catch (error) {
    if (error instanceof ModelError || isAbort(error)) throw error;
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
