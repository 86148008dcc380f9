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
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeEvent,
  FakeIds,
  type FakeToolCall,
  type FakeTurn,
  type FakeUsage,
  errorBody,
  itemJson,
  outputItems,
  responseObject,
  sseFrame,
  streamEvents,
} from "./responses-fake-wire.test-helper.js";

export type { FakeToolCall, FakeUsage } from "./responses-fake-wire.test-helper.js";

/**
 * How a streamed reply ends: `"completed"` (the default) sends `response.completed`; `"drop"`
 * closes the connection without it; `"hang"` keeps the connection open without it, until the
 * client aborts or the server closes.
 */
export type FakeStreamEnd = "completed" | "drop" | "hang";

/** Usage reported when a reply does not set one. */
export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

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
export type FakeReply =
  | { text: string; usage?: FakeUsage | null; streamEnd?: FakeStreamEnd }
  | {
      toolCalls: FakeToolCall[];
      text?: string;
      usage?: FakeUsage | null;
      streamEnd?: FakeStreamEnd;
    }
  | { status: number; message: string }
  | { fail: "response.failed" | "error"; message: string }
  | { hang: true };

/** One request as the fake received it. `body` is the parsed JSON, or the raw text if not JSON. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A running fake; see {@link startFakeResponsesServer}. Always `close()` it, in a `finally`. */
export interface FakeResponsesServer {
  /** Pass as `baseURL`; ends in `/v1` like OpenAI's. */
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
    throw new Error("The fake Responses server did not receive the expected request.");
  }
  if (!isRecord(request.body)) {
    throw new Error(`The request body is not a JSON object: ${String(request.body)}`);
  }
  return request.body;
}

/** Starts a fake Responses API server on 127.0.0.1 with a free port. */
export async function startFakeResponsesServer(): Promise<FakeResponsesServer> {
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
  if (request.method !== "POST" || request.path !== "/v1/responses") {
    const message =
      `The fake Responses server only serves POST /v1/responses, ` +
      `not ${request.method} ${request.path}; check the baseURL.`;
    sendJson(response, 404, errorBody(404, message));
    return;
  }
  const reply = replies.shift();
  if (reply === undefined) {
    const message =
      `The fake Responses server has no scripted reply for request #${requestNumber}; ` +
      `the code under test called the model more often than the test expected.`;
    sendJson(response, 500, errorBody(500, message));
    return;
  }
  const body = isRecord(request.body) ? request.body : {};
  if ("hang" in reply) return;
  if ("status" in reply) {
    sendJson(response, reply.status, errorBody(reply.status, reply.message));
    return;
  }
  if (body["stream"] === true) {
    sendStream(response, reply, body["model"], ids);
  } else {
    sendResponse(response, reply, body["model"], ids);
  }
}

function sendResponse(
  response: ServerResponse,
  reply: Exclude<FakeReply, { status: number } | { hang: true }>,
  model: unknown,
  ids: FakeIds,
): void {
  if ("fail" in reply) {
    if (reply.fail === "error") {
      sendJson(response, 500, errorBody(500, reply.message));
    } else {
      const error = { code: "server_error", message: reply.message };
      sendJson(response, 200, responseObject(ids.take("resp"), model, "failed", [], { error }));
    }
    return;
  }
  const items = outputItems(turnOf(reply), ids).map((item) => itemJson(item));
  const usage = reply.usage === undefined ? DEFAULT_FAKE_USAGE : reply.usage;
  sendJson(response, 200, responseObject(ids.take("resp"), model, "completed", items, { usage }));
}

function sendStream(
  response: ServerResponse,
  reply: Exclude<FakeReply, { status: number } | { hang: true }>,
  model: unknown,
  ids: FakeIds,
): void {
  const responseId = ids.take("resp");
  const started = responseObject(responseId, model, "in_progress", []);
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
