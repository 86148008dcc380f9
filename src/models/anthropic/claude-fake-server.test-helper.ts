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
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  FakeIds,
  type FakeToolUse,
  type FakeTurn,
  type FakeUsage,
  blockEvents,
  closingEvents,
  contentBlocks,
  errorBody,
  errorType,
  messageObject,
  sseFrame,
} from "./claude-fake-wire.test-helper.js";

export type { FakeToolUse, FakeUsage } from "./claude-fake-wire.test-helper.js";

/**
 * How a streamed reply ends: `"completed"` (the default) sends `message_delta` and
 * `message_stop`; `"drop"` closes the connection without them; `"hang"` keeps the connection open
 * without them, until the client aborts or the server closes.
 */
export type FakeStreamEnd = "completed" | "drop" | "hang";

/** Usage reported when a reply does not set one. */
export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

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
export type FakeReply =
  | { text: string; usage?: FakeUsage; stopReason?: string; streamEnd?: FakeStreamEnd }
  | {
      toolCalls: FakeToolUse[];
      text?: string;
      usage?: FakeUsage;
      stopReason?: string;
      streamEnd?: FakeStreamEnd;
    }
  | { status: number; message: string }
  | { streamError: string; errorType?: string }
  | { hang: true };

/** One request as the fake received it. `body` is the parsed JSON, or the raw text if not JSON. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A running fake; see {@link startFakeMessagesServer}. Always `close()` it, in a `finally`. */
export interface FakeMessagesServer {
  /** Pass as `baseURL`; like Anthropic's, it has no `/v1` (the SDK adds `/v1/messages`). */
  baseURL: string;
  /** Every request received, in order, including unscripted ones. */
  requests: FakeRequest[];
  /** Scripts the answer to the next request that has none yet. */
  enqueue(reply: FakeReply): void;
  /** Stops the server and cuts open connections (hanging replies included). */
  close(): Promise<void>;
}

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function requestBody(request: FakeRequest | undefined): Record<string, unknown> {
  if (request === undefined) {
    throw new Error("The fake Messages server did not receive the expected request.");
  }
  if (!isRecord(request.body)) {
    throw new Error(`The request body is not a JSON object: ${String(request.body)}`);
  }
  return request.body;
}

/** Starts a fake Messages API server on 127.0.0.1 with a free port. */
export async function startFakeMessagesServer(): Promise<FakeMessagesServer> {
  const replies: FakeReply[] = [];
  const requests: FakeRequest[] = [];
  const ids = new FakeIds();
  const server = createServer((request, response) => {
    readRequest(request).then(
      (received) => {
        requests.push(received);
        answer(received, requests.length, replies, ids, response);
      },
      // The client went away mid-request (an abort): there is nobody left to answer.
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (reply) => {
      replies.push(reply);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

async function readRequest(request: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: keep the raw text so the test can show what was sent.
  }
  return { method: request.method ?? "", path: request.url ?? "", headers: request.headers, body };
}

function answer(
  request: FakeRequest,
  requestNumber: number,
  replies: FakeReply[],
  ids: FakeIds,
  response: ServerResponse,
): void {
  if (request.method !== "POST" || request.path !== "/v1/messages") {
    const message =
      `The fake Messages server only serves POST /v1/messages, ` +
      `not ${request.method} ${request.path}; check the baseURL (it must not end in /v1).`;
    sendJson(response, 404, errorBody(errorType(404), message));
    return;
  }
  const reply = replies.shift();
  if (reply === undefined) {
    const message =
      `The fake Messages server has no scripted reply for request #${requestNumber}; ` +
      `the code under test called the model more often than the test expected.`;
    sendJson(response, 500, errorBody(errorType(500), message));
    return;
  }
  if ("hang" in reply) return;
  if ("status" in reply) {
    sendJson(response, reply.status, errorBody(errorType(reply.status), reply.message));
    return;
  }
  const body = isRecord(request.body) ? request.body : {};
  const messageId = ids.take("msg");
  if ("streamError" in reply) {
    const error = errorBody(reply.errorType ?? "overloaded_error", reply.streamError);
    if (body["stream"] !== true) {
      sendJson(response, 529, error);
      return;
    }
    startStream(response);
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
  sendJson(response, 200, messageObject(messageId, body["model"], content, turn.stopReason, turn.usage));
}

function sendStream(
  response: ServerResponse,
  messageId: string,
  model: unknown,
  turn: FakeTurn,
  end: FakeStreamEnd,
): void {
  startStream(response);
  for (const event of blockEvents(messageId, model, turn)) response.write(sseFrame(event));
  if (end === "hang") return;
  if (end === "completed") {
    for (const event of closingEvents(turn)) response.write(sseFrame(event));
  }
  response.end();
}

function turnOf(reply: {
  text?: string;
  toolCalls?: FakeToolUse[];
  stopReason?: string;
  usage?: FakeUsage;
}): FakeTurn {
  const toolCalls = reply.toolCalls ?? [];
  return {
    text: reply.text ?? "",
    toolCalls,
    stopReason: reply.stopReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn"),
    usage: reply.usage ?? DEFAULT_FAKE_USAGE,
  };
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "request-id": "req_fake" });
  response.end(JSON.stringify(body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
