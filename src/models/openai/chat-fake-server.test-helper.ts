/**
 * A loopback fake of `POST /v1/chat/completions` for wire tests: the official SDK (or kern's
 * `OpenAIChat`) talks to it over real HTTP on 127.0.0.1, it records every request, and it answers
 * with replies the test scripted in advance, as JSON or as an SSE stream (`data: <json>` frames
 * ending in `data: [DONE]`). A request with no scripted reply gets a 500 saying so, so a test that
 * calls the model more often than it expects fails loudly.
 *
 * @example
 * ```ts
 * const fake = await startFakeChatServer();
 * try {
 *   const call = { callId: "call_1", name: "send_alert", arguments: { to: "ops" } };
 *   fake.enqueue({ toolCalls: [call] });
 *   fake.enqueue({ text: "Alert sent." });
 *   const model = new OpenAIChat({ id: "gpt-test", baseURL: fake.baseURL, maxRetries: 0 });
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
  isRecord,
  jsonRequestBody,
  startFakeHttpServer,
} from "../fake-http-server.test-helper.js";
import {
  completionObject,
  dataFrame,
  defaultFinishReason,
  type FakeChatTurn,
  streamChunks,
} from "./chat-fake-wire.test-helper.js";
import { errorBody, type FakeToolCall, type FakeUsage } from "./responses-fake-wire.test-helper.js";

export type { FakeUsage } from "./responses-fake-wire.test-helper.js";

/**
 * How a streamed reply ends: `"completed"` (the default) sends the finish-reason chunk, the usage
 * chunk (when the request asked for it) and `data: [DONE]`; `"drop"` closes the connection after
 * the content, without any of those; `"hang"` keeps the connection open after the content, until
 * the client aborts or the server closes.
 */
export type FakeChatStreamEnd = "completed" | "drop" | "hang";

/** Usage reported when a reply does not set one. */
export const DEFAULT_FAKE_CHAT_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

interface FakeChatContent {
  usage?: FakeUsage | null;
  /** Defaults to "tool_calls" when the reply has tool calls, else "stop". */
  finishReason?: string;
  streamEnd?: FakeChatStreamEnd;
}

type FakeChatContentReply =
  | ({ text: string } & FakeChatContent)
  | ({ toolCalls: FakeToolCall[]; text?: string } & FakeChatContent)
  | { streamError: string };

/**
 * One scripted answer, used by exactly one request, in the order enqueued:
 * - `{ text }` / `{ toolCalls, text? }`: an assistant turn.
 * - `{ status, message }`: an HTTP error with OpenAI's `{ error: { message, type, code } }` body.
 * - `{ streamError }`: a stream that sends its first chunk, then `data: {"error": …}` (a
 *   non-stream request gets a 500 with that message).
 * - `{ hang: true }`: never answers; for abort and timeout tests.
 *
 * `usage` defaults to {@link DEFAULT_FAKE_CHAT_USAGE}; `null` leaves it out.
 */
export type FakeChatReply = FakeChatContentReply | FakeFailureReply;

/** One request as the fake received it. `body` is the parsed JSON, or the raw text if not JSON. */
export type FakeChatRequest = FakeRequest;

/**
 * A running fake; see {@link startFakeChatServer}. Always `close()` it, in a `finally`. Its
 * `baseURL` ends in `/v1` like OpenAI's and Ollama's.
 */
export type FakeChatServer = FakeHttpServer<FakeChatReply>;

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function requestBody(request: FakeChatRequest | undefined): Record<string, unknown> {
  return jsonRequestBody(request, "Chat Completions");
}

/** Starts a fake Chat Completions server on 127.0.0.1 with a free port. */
export async function startFakeChatServer(): Promise<FakeChatServer> {
  const ids = new FakeIds();
  return startFakeHttpServer<FakeChatContentReply>({
    apiName: "Chat Completions",
    path: "/v1/chat/completions",
    baseURLPath: "/v1",
    baseURLAdvice: "check the baseURL",
    errorBody,
    answer: (reply, body, response) => answer(reply, body, ids, response),
  });
}

function answer(
  reply: FakeChatContentReply,
  body: Record<string, unknown>,
  ids: FakeIds,
  response: FakeResponder,
): void {
  const model = body["model"];
  if (body["stream"] !== true) {
    if ("streamError" in reply) {
      response.json(500, errorBody(500, reply.streamError));
      return;
    }
    const usage = reply.usage === undefined ? DEFAULT_FAKE_CHAT_USAGE : reply.usage;
    response.json(200, completionObject(ids.take("chatcmpl"), model, turnOf(reply), usage));
    return;
  }
  response.startStream();
  if ("streamError" in reply) {
    const [first] = streamChunks(ids, model, turnOf({ text: "" }), { usage: null, finish: false });
    if (first !== undefined) response.write(dataFrame(first));
    response.end(dataFrame(errorBody(500, reply.streamError)));
    return;
  }
  sendStream(response, reply, model, ids, includesUsage(body));
}

function sendStream(
  response: FakeResponder,
  reply: { text?: string; toolCalls?: FakeToolCall[] } & FakeChatContent,
  model: unknown,
  ids: FakeIds,
  usageRequested: boolean,
): void {
  const end = reply.streamEnd ?? "completed";
  const usage = reply.usage === undefined ? DEFAULT_FAKE_CHAT_USAGE : reply.usage;
  const chunks = streamChunks(ids, model, turnOf(reply), {
    usage: usageRequested ? usage : null,
    finish: end === "completed",
  });
  for (const chunk of chunks) response.write(dataFrame(chunk));
  if (end === "hang") return;
  if (end === "completed") response.write(dataFrame("[DONE]"));
  response.end();
}

/** Like OpenAI, the fake sends usage in a stream only when `stream_options.include_usage` asks. */
function includesUsage(body: Record<string, unknown>): boolean {
  const options = body["stream_options"];
  return isRecord(options) && options["include_usage"] === true;
}

function turnOf(reply: { text?: string; toolCalls?: FakeToolCall[]; finishReason?: string }): FakeChatTurn {
  return {
    text: reply.text ?? "",
    toolCalls: reply.toolCalls ?? [],
    finishReason: reply.finishReason ?? defaultFinishReason(reply),
  };
}
