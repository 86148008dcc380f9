/**
 * The JSON the fake Chat Completions server sends: full completion objects and the chunks of a
 * streamed completion, shaped like OpenAI's wire format (which Ollama, vLLM and llama.cpp server
 * copy). Used only by `chat-fake-server.test-helper.ts`.
 */
import type { FakeIds } from "../fake-http-server.test-helper.js";
import { type FakeToolCall, type FakeUsage, splitIntoPieces } from "./responses-fake-wire.test-helper.js";

type JsonObject = Record<string, unknown>;

/** What one fake turn produces and how it says it ended. */
export interface FakeChatTurn {
  text: string;
  toolCalls: FakeToolCall[];
  finishReason: string;
}

/** The finish reason a turn reports unless the test sets one. */
export function defaultFinishReason(turn: { toolCalls?: FakeToolCall[] }): string {
  return (turn.toolCalls ?? []).length > 0 ? "tool_calls" : "stop";
}

/** A tool call's arguments as the JSON text the model "produced". */
function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

function usageJson(usage: FakeUsage): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** A complete `chat.completion` object, as a non-stream reply. */
export function completionObject(id: string, model: unknown, turn: FakeChatTurn, usage: FakeUsage | null): JsonObject {
  const message: JsonObject = {
    role: "assistant",
    content: turn.text === "" ? null : turn.text,
    refusal: null,
  };
  if (turn.toolCalls.length > 0) {
    message["tool_calls"] = turn.toolCalls.map((call) => ({
      id: call.callId,
      type: "function",
      function: { name: call.name, arguments: argumentsText(call) },
    }));
  }
  return {
    id,
    object: "chat.completion",
    created: 1_700_000_000,
    model: typeof model === "string" ? model : "fake-model",
    choices: [{ index: 0, message, logprobs: null, finish_reason: turn.finishReason }],
    ...(usage === null ? {} : { usage: usageJson(usage) }),
  };
}

/**
 * The chunks of a streamed turn, in OpenAI's order: a first chunk with the role, the text in a
 * few pieces, then per tool call a first piece with its id and name and its arguments in pieces,
 * then a chunk with the finish reason and, when `usage` is given, a last chunk with no choices
 * and the usage. `finish: false` leaves out the last two (a stream cut short).
 */
export function streamChunks(
  ids: FakeIds,
  model: unknown,
  turn: FakeChatTurn,
  options: { usage: FakeUsage | null; finish: boolean },
): JsonObject[] {
  const id = ids.take("chatcmpl");
  const chunk = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    id,
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: typeof model === "string" ? model : "fake-model",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of splitIntoPieces(turn.text, 3)) chunks.push(chunk({ content: piece }));
  turn.toolCalls.forEach((call, index) => {
    const opening = { name: call.name, arguments: "" };
    const first = { index, id: call.callId, type: "function", function: opening };
    chunks.push(chunk({ tool_calls: [first] }));
    for (const piece of splitIntoPieces(argumentsText(call), 3)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  if (!options.finish) return chunks;
  chunks.push(chunk({}, turn.finishReason));
  if (options.usage !== null) {
    chunks.push({ ...chunk({}), choices: [], usage: usageJson(options.usage) });
  }
  return chunks;
}

/** One SSE frame as Chat Completions sends it: a `data:` line and a blank line, no `event:`. */
export function dataFrame(data: JsonObject | "[DONE]"): string {
  return `data: ${data === "[DONE]" ? data : JSON.stringify(data)}\n\n`;
}
