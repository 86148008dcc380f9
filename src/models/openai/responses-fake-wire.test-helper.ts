/**
 * The JSON the fake Responses server sends: full response objects and the SSE event sequence of a
 * streamed response, shaped like OpenAI's wire format. Used only by
 * `responses-fake-server.test-helper.ts`.
 */
import { type FakeIds, splitIntoPieces } from "../fake-http-server.test-helper.js";

export { splitIntoPieces } from "../fake-http-server.test-helper.js";

/** Token counts the fake reports. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One function call the fake model makes; a string `arguments` is sent verbatim, JSON or not. */
export interface FakeToolCall {
  callId: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** What one fake model turn produces. */
export interface FakeTurn {
  text: string;
  toolCalls: FakeToolCall[];
}

/** One SSE event before `sequence_number` is added. */
export interface FakeEvent {
  type: string;
  [key: string]: unknown;
}

type JsonObject = Record<string, unknown>;

/** A complete response object, as a non-stream reply and inside `response.completed`. */
export function responseObject(
  id: string,
  model: unknown,
  status: "in_progress" | "completed" | "failed",
  output: JsonObject[],
  extra: { usage?: FakeUsage | null; error?: { code: string; message: string } } = {},
): JsonObject {
  const usage = extra.usage ?? null;
  return {
    id,
    object: "response",
    created_at: 1_700_000_000,
    status,
    error: extra.error ?? null,
    incomplete_details: null,
    instructions: null,
    model: typeof model === "string" ? model : "fake-model",
    output,
    parallel_tool_calls: true,
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    usage:
      usage === null
        ? null
        : {
            input_tokens: usage.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: usage.outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: usage.inputTokens + usage.outputTokens,
          },
  };
}

/** One output item of a fake turn, before it is written as JSON. */
export type FakeOutputItem =
  | { type: "message"; id: string; text: string }
  | { type: "function_call"; id: string; call: FakeToolCall; arguments: string };

/** The output items of a turn, in wire order: a message (when there is text), then each call. */
export function outputItems(turn: FakeTurn, ids: FakeIds): FakeOutputItem[] {
  const items: FakeOutputItem[] = [];
  if (turn.text !== "") items.push({ type: "message", id: ids.take("msg"), text: turn.text });
  for (const call of turn.toolCalls) {
    const text = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    items.push({ type: "function_call", id: ids.take("fc"), call, arguments: text });
  }
  return items;
}

/** An output item as it appears in `response.output`. */
export function itemJson(item: FakeOutputItem, status = "completed"): JsonObject {
  if (item.type === "message") {
    const content = status === "completed" ? [outputText(item.text)] : [];
    return { type: "message", id: item.id, role: "assistant", status, content };
  }
  return {
    type: "function_call",
    id: item.id,
    call_id: item.call.callId,
    name: item.call.name,
    arguments: status === "completed" ? item.arguments : "",
    status,
  };
}

/**
 * Every SSE event of a streamed turn up to, but not including, `response.completed`:
 * `response.created`, `response.in_progress`, then per output item its `added` event, its deltas
 * (split into a few pieces), its `done` events and `response.output_item.done`.
 */
export function streamEvents(started: JsonObject, items: FakeOutputItem[]): FakeEvent[] {
  const events: FakeEvent[] = [
    { type: "response.created", response: started },
    { type: "response.in_progress", response: started },
  ];
  items.forEach((item, index) => {
    const added = itemJson(item, "in_progress");
    events.push({ type: "response.output_item.added", output_index: index, item: added });
    const deltas = item.type === "message" ? textEvents(item, index) : argumentEvents(item, index);
    events.push(...deltas);
    events.push({ type: "response.output_item.done", output_index: index, item: itemJson(item) });
  });
  return events;
}

/** Formats one SSE frame the way OpenAI does: an `event:` line, a `data:` line, a blank line. */
export function sseFrame(event: FakeEvent, sequenceNumber: number): string {
  const data = { ...event, sequence_number: sequenceNumber };
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The `{ error: { message, type, code } }` body OpenAI sends with an HTTP error status. */
export function errorBody(status: number, message: string): JsonObject {
  const [type, code] =
    status === 401
      ? ["invalid_request_error", "invalid_api_key"]
      : status === 429
        ? ["requests", "rate_limit_exceeded"]
        : status >= 500
          ? ["server_error", "server_error"]
          : ["invalid_request_error", null];
  return { error: { message, type, param: null, code } };
}

function textEvents(item: { id: string; text: string }, outputIndex: number): FakeEvent[] {
  const where = { item_id: item.id, output_index: outputIndex, content_index: 0 };
  const deltas = splitIntoPieces(item.text, 3).map((delta) => ({
    type: "response.output_text.delta",
    ...where,
    delta,
    logprobs: [],
  }));
  return [
    { type: "response.content_part.added", ...where, part: outputText("") },
    ...deltas,
    { type: "response.output_text.done", ...where, text: item.text, logprobs: [] },
    { type: "response.content_part.done", ...where, part: outputText(item.text) },
  ];
}

function argumentEvents(item: { id: string; call: FakeToolCall; arguments: string }, outputIndex: number): FakeEvent[] {
  const where = { item_id: item.id, output_index: outputIndex };
  const deltas = splitIntoPieces(item.arguments, 2).map((delta) => ({
    type: "response.function_call_arguments.delta",
    ...where,
    delta,
  }));
  const done = { ...where, name: item.call.name, arguments: item.arguments };
  return [...deltas, { type: "response.function_call_arguments.done", ...done }];
}

function outputText(text: string): JsonObject {
  return { type: "output_text", text, annotations: [] };
}
