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
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeChatTurn,
  completionObject,
  dataFrame,
  defaultFinishReason,
  streamChunks,
} from "./chat-fake-wire.test-helper.js";
import {
  FakeIds,
  type FakeToolCall,
  type FakeUsage,
  errorBody,
} from "./responses-fake-wire.test-helper.js";

export type { FakeToolCall, FakeUsage } from "./responses-fake-wire.test-helper.js";

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
export type FakeChatReply =
  | ({ text: string } & FakeChatContent)
  | ({ toolCalls: FakeToolCall[]; text?: string } & FakeChatContent)
  | { status: number; message: string }
  | { streamError: string }
  | { hang: true };

/** One request as the fake received it. `body` is the parsed JSON, or the raw text if not JSON. */
export interface FakeChatRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A running fake; see {@link startFakeChatServer}. Always `close()` it, in a `finally`. */
export interface FakeChatServer {
  /** Pass as `baseURL`; ends in `/v1` like OpenAI's and Ollama's. */
  baseURL: string;
  /** Every request received, in order, including unscripted ones. */
  requests: FakeChatRequest[];
  /** Scripts the answer to the next request that has none yet. */
  enqueue(reply: FakeChatReply): void;
  /** Stops the server and cuts open connections (hanging replies included). */
  close(): Promise<void>;
}

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function requestBody(request: FakeChatRequest | undefined): Record<string, unknown> {
  if (request === undefined) {
    throw new Error("The fake Chat Completions server did not receive the expected request.");
  }
  if (!isRecord(request.body)) {
    throw new Error(`The request body is not a JSON object: ${String(request.body)}`);
  }
  return request.body;
}

/** Starts a fake Chat Completions server on 127.0.0.1 with a free port. */
export async function startFakeChatServer(): Promise<FakeChatServer> {
  const replies: FakeChatReply[] = [];
  const requests: FakeChatRequest[] = [];
  const ids = new FakeIds();
  const server = createServer((request, response) => {
    readRequest(request).then(
      (received) => {
        requests.push(received);
        answer(received, requests.length, replies.shift(), ids, response);
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
    baseURL: `http://127.0.0.1:${port}/v1`,
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

async function readRequest(request: IncomingMessage): Promise<FakeChatRequest> {
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
  request: FakeChatRequest,
  requestNumber: number,
  reply: FakeChatReply | undefined,
  ids: FakeIds,
  response: ServerResponse,
): void {
  if (request.method !== "POST" || request.path !== "/v1/chat/completions") {
    const message =
      `The fake Chat Completions server only serves POST /v1/chat/completions, ` +
      `not ${request.method} ${request.path}; check the baseURL.`;
    sendJson(response, 404, errorBody(404, message));
    return;
  }
  if (reply === undefined) {
    const message =
      `The fake Chat Completions server has no scripted reply for request #${requestNumber}; ` +
      `the code under test called the model more often than the test expected.`;
    sendJson(response, 500, errorBody(500, message));
    return;
  }
  if ("hang" in reply) return;
  if ("status" in reply) {
    sendJson(response, reply.status, errorBody(reply.status, reply.message));
    return;
  }
  const body = isRecord(request.body) ? request.body : {};
  const model = body["model"];
  if (body["stream"] !== true) {
    if ("streamError" in reply) {
      sendJson(response, 500, errorBody(500, reply.streamError));
      return;
    }
    const usage = reply.usage === undefined ? DEFAULT_FAKE_CHAT_USAGE : reply.usage;
    sendJson(response, 200, completionObject(ids.take("chatcmpl"), model, turnOf(reply), usage));
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  if ("streamError" in reply) {
    const [first] = streamChunks(ids, model, turnOf({ text: "" }), { usage: null, finish: false });
    if (first !== undefined) response.write(dataFrame(first));
    response.end(dataFrame(errorBody(500, reply.streamError)));
    return;
  }
  sendStream(response, reply, model, ids, includesUsage(body));
}

function sendStream(
  response: ServerResponse,
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

function turnOf(reply: {
  text?: string;
  toolCalls?: FakeToolCall[];
  finishReason?: string;
}): FakeChatTurn {
  return {
    text: reply.text ?? "",
    toolCalls: reply.toolCalls ?? [],
    finishReason: reply.finishReason ?? defaultFinishReason(reply),
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
