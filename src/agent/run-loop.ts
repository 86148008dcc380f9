import { MaxTurnsExceededError, ModelError } from "../errors.js";
import type { Model, ModelRequest, ModelResponse } from "../models/index.js";
import { type AgentRunState, addUsage, isAbort } from "../runs/index.js";
import { startSpan } from "../telemetry/index.js";
import { type BatchContext, finishToolBatch, runQueued, startToolBatch } from "./tool-batch.js";

/** What one drive of the loop needs from the agent. */
export interface LoopContext extends BatchContext {
  model: Model;
  instructions: string | undefined;
  maxTurns: number;
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
    throw new ModelError(`Model '${context.model.id}' ended its stream without a final response.`, {
      provider: context.model.provider,
    });
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
  const { model } = context;
  const span = startSpan(
    `chat ${model.id}`,
    { "gen_ai.operation.name": "chat", "gen_ai.provider.name": model.provider, "gen_ai.request.model": model.id },
    context.span,
  );
  try {
    const response = await span.run(() =>
      context.stream ? streamModel(state, context, request) : context.model.generate(request),
    );
    if (response.usage !== undefined)
      span.set({
        "gen_ai.usage.input_tokens": response.usage.inputTokens,
        "gen_ai.usage.output_tokens": response.usage.outputTokens,
      });
    span.end();
    return response;
  } catch (error) {
    span.end(error);
    if (error instanceof ModelError || isAbort(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ModelError(`Model '${context.model.id}' failed: ${message}`, {
      provider: context.model.provider,
      cause: error,
    });
  }
}

function complete(state: AgentRunState, content: string): void {
  state.status = "completed";
  state.content = content;
}

/**
 * Drives a run until it completes or pauses: finishes the batch of tool calls it stopped in (if
 * any), then alternates model turns and tool batches. Every tool result is stored before the next
 * tool or model call. Mutates `state`; the caller stores the outcome.
 */
export async function driveAgentRun(state: AgentRunState, context: LoopContext): Promise<void> {
  state.status = "running";
  if (state.cursor !== null) {
    // A call whose tool changed since it was approved waits again: the run pauses with it.
    if (await runQueued(state, context)) {
      state.status = "paused";
      return;
    }
    const stopResults = finishToolBatch(state, context.tools);
    if (stopResults.length > 0) return complete(state, stopResults.join("\n"));
  }
  for (;;) {
    if (state.turns >= context.maxTurns) {
      throw new MaxTurnsExceededError(state.agentName, context.maxTurns);
    }
    context.signal?.throwIfAborted();
    await context.flush();
    const response = await callModel(state, context);
    // A failed call is not a turn: a retry of the run may make it again.
    state.turns += 1;
    state.usage = addUsage(state.usage, response.usage);
    if (response.toolCalls.length === 0) {
      state.messages.push({ role: "assistant", content: response.text, toolCalls: [] });
      return complete(state, response.text);
    }
    if (await startToolBatch(state, response.toolCalls, response.text, context)) {
      state.status = "paused";
      return;
    }
    const stopResults = finishToolBatch(state, context.tools);
    if (stopResults.length > 0) return complete(state, stopResults.join("\n"));
  }
}
