/**
 * A loopback fake of OpenAI's Responses API for wire tests: the official SDK (or kern's
 * `OpenAIResponses`) talks to it over real HTTP on 127.0.0.1, it records every request, and it
 * answers with replies the test scripted in advance. A request with no scripted reply gets a 500
 * saying so, so a test that calls the model more often than it expects fails loudly.
 *
 * @example
 * ```ts
 * const fake = await startFakeResponsesServer();
 * try {
 *   fake.enqueue({
 *     toolCalls: [{ callId: "call_1", name: "send_alert", arguments: { to: "ops" } }],
 *   });
 *   fake.enqueue({ text: "Alert sent." });
 *   const model = new OpenAIResponses({
 *     id: "gpt-test",
 *     baseURL: fake.baseURL,
 *     apiKey: "test-key",
 *     maxRetries: 0, // an error reply must reach the test, not be retried
 *   });
 *   // ... run the agent with `model` ...
 *   assert.equal(fake.requests.length, 2);
 *   const { input } = requestBody(fake.requests[1]); // what the model was told on turn 2
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
  errorBody,
  type FakeEvent,
  type FakeToolCall,
  type FakeTurn,
  type FakeUsage,
  itemJson,
  outputItems,
  responseObject,
  sseFrame,
  streamEvents,
} from "./responses-fake-wire.test-helper.js";

export type { FakeRequest } from "../fake-http-server.test-helper.js";
export type { FakeUsage } from "./responses-fake-wire.test-helper.js";

/**
 * How a streamed reply ends: `"completed"` (the default) sends `response.completed`; `"drop"`
 * closes the connection without it; `"hang"` keeps the connection open without it, until the
 * client aborts or the server closes.
 */
export type FakeStreamEnd = "completed" | "drop" | "hang";

/** Usage reported when a reply does not set one. */
export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

type FakeContentReply =
  | { text: string; usage?: FakeUsage | null; streamEnd?: FakeStreamEnd }
  | {
      toolCalls: FakeToolCall[];
      text?: string;
      usage?: FakeUsage | null;
      streamEnd?: FakeStreamEnd;
    }
  | { fail: "response.failed" | "error"; message: string };

/**
 * One scripted answer, used by exactly one request, in the order enqueued:
 * - `{ text }`: an assistant message.
 * - `{ toolCalls, text? }`: optional text, then one `function_call` item per call.
 * - `{ status, message }`: an HTTP error with OpenAI's `{ error: { message, type, code } }` body.
 * - `{ fail: "response.failed" | "error", message }`: a stream that fails after
 *   `response.created` with that event (a non-stream request gets a `status: "failed"` response
 *   or a 500 respectively).
 * - `{ hang: true }`: never answers; for abort and timeout tests.
 *
 * `usage` defaults to {@link DEFAULT_FAKE_USAGE}; `null` leaves it out.
 */
export type FakeReply = FakeContentReply | FakeFailureReply;

/**
 * A running fake; see {@link startFakeResponsesServer}. Always `close()` it, in a `finally`. Its
 * `baseURL` ends in `/v1` like OpenAI's.
 */
export type FakeResponsesServer = FakeHttpServer<FakeReply>;

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function requestBody(request: FakeRequest | undefined): Record<string, unknown> {
  return jsonRequestBody(request, "Responses");
}

/** Starts a fake Responses API server on 127.0.0.1 with a free port. */
export async function startFakeResponsesServer(): Promise<FakeResponsesServer> {
  const ids = new FakeIds();
  return startFakeHttpServer<FakeContentReply>({
    apiName: "Responses",
    path: "/v1/responses",
    baseURLPath: "/v1",
    baseURLAdvice: "check the baseURL",
    errorBody,
    answer: (reply, body, response) => {
      if (body["stream"] === true) sendStream(response, reply, body["model"], ids);
      else sendResponse(response, reply, body["model"], ids);
    },
  });
}

function sendResponse(response: FakeResponder, reply: FakeContentReply, model: unknown, ids: FakeIds): void {
  if ("fail" in reply) {
    if (reply.fail === "error") {
      response.json(500, errorBody(500, reply.message));
    } else {
      const error = { code: "server_error", message: reply.message };
      response.json(200, responseObject(ids.take("resp"), model, "failed", [], { error }));
    }
    return;
  }
  const items = outputItems(turnOf(reply), ids).map((item) => itemJson(item));
  const usage = reply.usage === undefined ? DEFAULT_FAKE_USAGE : reply.usage;
  response.json(200, responseObject(ids.take("resp"), model, "completed", items, { usage }));
}

function sendStream(response: FakeResponder, reply: FakeContentReply, model: unknown, ids: FakeIds): void {
  const responseId = ids.take("resp");
  const started = responseObject(responseId, model, "in_progress", []);
  response.startStream();
  let sequence = 0;
  const write = (event: FakeEvent): void => {
    response.write(sseFrame(event, sequence));
    sequence += 1;
  };
  if ("fail" in reply) {
    write({ type: "response.created", response: started });
    if (reply.fail === "error") {
      write({ type: "error", code: "server_error", message: reply.message, param: null });
    } else {
      const error = { code: "server_error", message: reply.message };
      const failed = responseObject(responseId, model, "failed", [], { error });
      write({ type: "response.failed", response: failed });
    }
    response.end();
    return;
  }
  const items = outputItems(turnOf(reply), ids);
  for (const event of streamEvents(started, items)) write(event);
  const end = reply.streamEnd ?? "completed";
  if (end === "hang") return;
  if (end === "completed") {
    const usage = reply.usage === undefined ? DEFAULT_FAKE_USAGE : reply.usage;
    const output = items.map((item) => itemJson(item));
    const completed = responseObject(responseId, model, "completed", output, { usage });
    write({ type: "response.completed", response: completed });
  }
  response.end();
}

function turnOf(reply: { text?: string; toolCalls?: FakeToolCall[] }): FakeTurn {
  return { text: reply.text ?? "", toolCalls: reply.toolCalls ?? [] };
}
