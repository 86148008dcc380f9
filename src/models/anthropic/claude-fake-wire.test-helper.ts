/**
 * The JSON the fake Messages API server sends: full message objects and the SSE event sequence of
 * a streamed message, shaped like Anthropic's wire format. Used only by
 * `claude-fake-server.test-helper.ts`.
 */
import { splitIntoPieces } from "../fake-http-server.test-helper.js";

/** Token counts the fake reports. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One tool call the fake model makes, as a `tool_use` block. */
export interface FakeToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** What one fake model turn produces. */
export interface FakeTurn {
  text: string;
  toolCalls: FakeToolUse[];
  stopReason: string;
  usage: FakeUsage;
}

/** One SSE event; its `type` is also written as the frame's `event:` line. */
export interface FakeEvent {
  type: string;
  [key: string]: unknown;
}

type JsonObject = Record<string, unknown>;

/** The content blocks of a turn, in wire order: a text block (when there is text), then calls. */
export function contentBlocks(turn: Pick<FakeTurn, "text" | "toolCalls">): JsonObject[] {
  const blocks: JsonObject[] = turn.text === "" ? [] : [textBlock(turn.text)];
  for (const call of turn.toolCalls) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
  }
  return blocks;
}

/** A complete message object, as a non-stream reply and (empty) inside `message_start`. */
export function messageObject(
  id: string,
  model: unknown,
  content: JsonObject[],
  stopReason: string | null,
  usage: FakeUsage,
): JsonObject {
  return {
    id,
    type: "message",
    role: "assistant",
    model: typeof model === "string" ? model : "fake-model",
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

/**
 * Every SSE event of a streamed turn up to, but not including, `message_delta` and
 * `message_stop`: `message_start`, a `ping`, then per block its start, its deltas (text split into
 * a few pieces; tool input as `input_json_delta` pieces of its JSON text, the first one empty as
 * Anthropic sends it) and its stop.
 */
export function blockEvents(messageId: string, model: unknown, turn: FakeTurn): FakeEvent[] {
  const startUsage = { inputTokens: turn.usage.inputTokens, outputTokens: 1 };
  const events: FakeEvent[] = [
    { type: "message_start", message: messageObject(messageId, model, [], null, startUsage) },
    { type: "ping" },
  ];
  let index = 0;
  if (turn.text !== "") {
    events.push({ type: "content_block_start", index, content_block: textBlock("") });
    for (const text of splitIntoPieces(turn.text, 3)) {
      events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
    }
    events.push({ type: "content_block_stop", index });
    index += 1;
  }
  for (const call of turn.toolCalls) {
    const started = { type: "tool_use", id: call.id, name: call.name, input: {} };
    events.push({ type: "content_block_start", index, content_block: started });
    for (const partial of ["", ...splitIntoPieces(JSON.stringify(call.input), 3)]) {
      const delta = { type: "input_json_delta", partial_json: partial };
      events.push({ type: "content_block_delta", index, delta });
    }
    events.push({ type: "content_block_stop", index });
    index += 1;
  }
  return events;
}

/** The closing events of a streamed turn: its stop reason and output tokens, then the stop. */
export function closingEvents(turn: FakeTurn): FakeEvent[] {
  return [
    {
      type: "message_delta",
      delta: { stop_reason: turn.stopReason, stop_sequence: null },
      usage: { output_tokens: turn.usage.outputTokens },
    },
    { type: "message_stop" },
  ];
}

/**
 * Formats one SSE frame the way Anthropic does: an `event:` line, a `data:` line, a blank line.
 * The `event:` line is not optional: the SDK drops every frame without one.
 */
export function sseFrame(event: FakeEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The `{ type: "error", error: { type, message } }` body Anthropic sends with an error. */
export function errorBody(type: string, message: string): JsonObject {
  return { type: "error", error: { type, message } };
}

/** Anthropic's error type for an HTTP status. */
export function errorType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

function textBlock(text: string): JsonObject {
  return { type: "text", text, citations: null };
}
