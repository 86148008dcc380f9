/**
 * A loopback fake of Anthropic's Messages API for wire tests: the official SDK (or kern's
 * `Claude`) talks to it over real HTTP on 127.0.0.1, it records every request, and it answers
 * with replies the test scripted in advance. A request with no scripted reply gets a 500 saying
 * so, so a test that calls the model more often than it expects fails loudly.
 *
 * @example
 * ```ts
 * const fake = await startFakeMessagesServer();
 * try {
 *   fake.enqueue({ toolCalls: [{ id: "toolu_1", name: "send_alert", input: { to: "ops" } }] });
 *   fake.enqueue({ text: "Alert sent." });
 *   const model = new Claude({
 *     id: "claude-test",
 *     baseURL: fake.baseURL, // no /v1: the SDK adds /v1/messages
 *     apiKey: "test-key",
 *     maxRetries: 0, // an error reply must reach the test, not be retried
 *   });
 *   // ... run the agent with `model` ...
 *   const { messages } = requestBody(fake.requests[1]); // what the model was told on turn 2
 * } finally {
 *   await fake.close();
 * }
 * ```
 */
import {
  type FakeFailureReply,
  type FakeHttpServer,
  FakeIds,
  type FakeRequest,
  type FakeResponder,
  jsonRequestBody,
  startFakeHttpServer,
} from "../fake-http-server.test-helper.js";
import {
  blockEvents,
  closingEvents,
  contentBlocks,
  errorBody,
  errorType,
  type FakeToolUse,
  type FakeTurn,
  type FakeUsage,
  messageObject,
  sseFrame,
} from "./claude-fake-wire.test-helper.js";

export type { FakeRequest } from "../fake-http-server.test-helper.js";
export type { FakeUsage } from "./claude-fake-wire.test-helper.js";

/**
 * How a streamed reply ends: `"completed"` (the default) sends `message_delta` and
 * `message_stop`; `"drop"` closes the connection without them; `"hang"` keeps the connection open
 * without them, until the client aborts or the server closes.
 */
export type FakeStreamEnd = "completed" | "drop" | "hang";

/** Usage reported when a reply does not set one. */
export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

type FakeContentReply =
  | { text: string; usage?: FakeUsage; stopReason?: string; streamEnd?: FakeStreamEnd }
  | {
      toolCalls: FakeToolUse[];
      text?: string;
      usage?: FakeUsage;
      stopReason?: string;
      streamEnd?: FakeStreamEnd;
    }
  | { streamError: string; errorType?: string };

/**
 * One scripted answer, used by exactly one request, in the order enqueued:
 * - `{ text }`: a message with one text block.
 * - `{ toolCalls, text? }`: optional text, then one `tool_use` block per call.
 * - `{ status, message }`: an HTTP error with Anthropic's `{ type: "error", error }` body.
 * - `{ streamError, errorType? }`: a stream that sends an `error` event after `message_start`
 *   (a non-stream request gets a 529 with that message).
 * - `{ hang: true }`: never answers; for abort and timeout tests.
 *
 * `stopReason` defaults to `tool_use` when there are calls, else `end_turn`; `usage` defaults to
 * {@link DEFAULT_FAKE_USAGE}.
 */
export type FakeReply = FakeContentReply | FakeFailureReply;

/**
 * A running fake; see {@link startFakeMessagesServer}. Always `close()` it, in a `finally`. Like
 * Anthropic's, its `baseURL` has no `/v1` (the SDK adds `/v1/messages`).
 */
export type FakeMessagesServer = FakeHttpServer<FakeReply>;

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function requestBody(request: FakeRequest | undefined): Record<string, unknown> {
  return jsonRequestBody(request, "Messages");
}

/** Starts a fake Messages API server on 127.0.0.1 with a free port. */
export async function startFakeMessagesServer(): Promise<FakeMessagesServer> {
  const ids = new FakeIds();
  return startFakeHttpServer<FakeContentReply>({
    apiName: "Messages",
    path: "/v1/messages",
    baseURLPath: "",
    baseURLAdvice: "check the baseURL (it must not end in /v1)",
    jsonHeaders: { "request-id": "req_fake" },
    errorBody: (status, message) => errorBody(errorType(status), message),
    answer: (reply, body, response) => answer(reply, body, ids, response),
  });
}

function answer(reply: FakeContentReply, body: Record<string, unknown>, ids: FakeIds, response: FakeResponder): void {
  const messageId = ids.take("msg");
  if ("streamError" in reply) {
    const error = errorBody(reply.errorType ?? "overloaded_error", reply.streamError);
    if (body["stream"] !== true) {
      response.json(529, error);
      return;
    }
    response.startStream();
    const started = blockEvents(messageId, body["model"], turnOf({ text: "" }));
    for (const event of started) response.write(sseFrame(event));
    response.end(sseFrame({ type: "error", error: error["error"] }));
    return;
  }
  const turn = turnOf(reply);
  if (body["stream"] === true) {
    sendStream(response, messageId, body["model"], turn, reply.streamEnd ?? "completed");
    return;
  }
  const content = contentBlocks(turn);
  response.json(200, messageObject(messageId, body["model"], content, turn.stopReason, turn.usage));
}

function sendStream(
  response: FakeResponder,
  messageId: string,
  model: unknown,
  turn: FakeTurn,
  end: FakeStreamEnd,
): void {
  response.startStream();
  for (const event of blockEvents(messageId, model, turn)) response.write(sseFrame(event));
  if (end === "hang") return;
  if (end === "completed") {
    for (const event of closingEvents(turn)) response.write(sseFrame(event));
  }
  response.end();
}

function turnOf(reply: { text?: string; toolCalls?: FakeToolUse[]; stopReason?: string; usage?: FakeUsage }): FakeTurn {
  const toolCalls = reply.toolCalls ?? [];
  return {
    text: reply.text ?? "",
    toolCalls,
    stopReason: reply.stopReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn"),
    usage: reply.usage ?? DEFAULT_FAKE_USAGE,
  };
}
