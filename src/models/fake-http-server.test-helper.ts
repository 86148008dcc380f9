/**
 * The provider-neutral half of the loopback fakes that provider adapters are tested against: an
 * HTTP server on 127.0.0.1 with a free port that serves one route, records every request, and
 * answers each with the next reply the test scripted. It answers an unscripted request with a 500
 * saying so, so a test that calls the model more often than it expects fails loudly; another route
 * gets a 404; `{ status, message }` and `{ hang: true }` replies are handled here. Everything
 * else — the JSON and SSE shapes of a successful or failing turn — belongs to the provider's
 * {@link FakeWireFormat}. {@link FakeIds} and {@link splitIntoPieces} are shared by those formats.
 *
 * @example
 * ```ts
 * const ids = new FakeIds();
 * const fake = await startFakeHttpServer<MyContentReply>({
 *   apiName: "Messages",
 *   path: "/v1/messages",
 *   baseURLPath: "",
 *   baseURLAdvice: "check the baseURL (it must not end in /v1)",
 *   errorBody: (status, message) => ({ type: "error", error: { type: "api_error", message } }),
 *   answer: (reply, body, response) => response.json(200, messageFor(reply, body, ids)),
 * });
 * ```
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach } from "node:test";

/** One request as the fake received it. `body` is the parsed JSON, or the raw text if not JSON. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * The scripted replies every fake understands: `{ status, message, headers? }` is an HTTP error
 * with the provider's error body and any extra headers (e.g. `retry-after`); `{ hang: true }` never
 * answers (for abort and timeout tests).
 */
export type FakeFailureReply = { status: number; message: string; headers?: Record<string, string> } | { hang: true };

/** A running fake. Always `close()` it, in a `finally` or an `afterEach`. */
export interface FakeHttpServer<Reply> {
  /** Pass as `baseURL`; what it ends in depends on the provider (see `baseURLPath`). */
  baseURL: string;
  /** Every request received, in order, including unscripted ones. */
  requests: FakeRequest[];
  /** Scripts the answer to the next request that has none yet. */
  enqueue(reply: Reply): void;
  /**
   * Requests still waiting on an open connection: not fully answered (a hanging reply, a stream
   * not yet ended), and the client has not gone away. A request the client aborted is not counted.
   */
  pendingRequests(): number;
  /** Stops the server and cuts open connections (hanging replies included). */
  close(): Promise<void>;
}

/** How a provider's wire format answers a scripted content reply. */
export interface FakeResponder {
  /** Sends a complete JSON answer with this status and any extra headers. */
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Sends a 200 with SSE headers; then `write` frames and `end`, or neither to hang. */
  startStream(): void;
  write(frame: string): void;
  end(frame?: string): void;
}

/** What a provider's fake knows about its API; the rest is {@link startFakeHttpServer}'s. */
export interface FakeWireFormat<Content> {
  /** How messages name the API, e.g. "Messages" in "The fake Messages server …". */
  apiName: string;
  /** The one route served, e.g. "/v1/messages". */
  path: string;
  /** Appended to `http://127.0.0.1:<port>` to make `baseURL`: "" or "/v1", like the real one. */
  baseURLPath: string;
  /** Advice on a request to another route, e.g. "check the baseURL". */
  baseURLAdvice: string;
  /** Headers sent with every JSON answer besides `content-type`. */
  jsonHeaders?: Record<string, string>;
  /** The provider's body for an HTTP error with this status. */
  errorBody(status: number, message: string): unknown;
  /** Answers one scripted content reply to a request with this JSON body (`{}` if not JSON). */
  answer(reply: Content, body: Record<string, unknown>, response: FakeResponder): void;
}

/** Starts a fake of `format` on 127.0.0.1 with a free port. */
export async function startFakeHttpServer<Content>(
  format: FakeWireFormat<Content>,
): Promise<FakeHttpServer<Content | FakeFailureReply>> {
  const replies: (Content | FakeFailureReply)[] = [];
  const requests: FakeRequest[] = [];
  const pending = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    // "close" comes when the answer is complete or the connection went away, whichever is first.
    pending.add(response);
    response.on("close", () => pending.delete(response));
    readRequest(request).then(
      (received) => {
        requests.push(received);
        const responder = responderFor(format.jsonHeaders, response);
        answer(format, received, requests.length, replies.shift(), responder);
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
    baseURL: `http://127.0.0.1:${port}${format.baseURLPath}`,
    requests,
    enqueue: (reply) => {
      replies.push(reply);
    },
    pendingRequests: () => pending.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/**
 * The JSON body of a recorded request as an object; throws a readable assertion error when the
 * request is missing (the model was called fewer times than expected) or its body is not JSON.
 */
export function jsonRequestBody(request: FakeRequest | undefined, apiName: string): Record<string, unknown> {
  if (request === undefined) {
    throw new Error(`The fake ${apiName} server did not receive the expected request.`);
  }
  if (!isRecord(request.body)) {
    throw new Error(`The request body is not a JSON object: ${String(request.body)}`);
  }
  return request.body;
}

/** Hands out ids that are unique within one fake server and stable across test runs. */
export class FakeIds {
  #next = 1;

  take(prefix: string): string {
    const id = `${prefix}_fake_${this.#next}`;
    this.#next += 1;
    return id;
  }
}

/** Splits text into up to `count` pieces on code-point boundaries, as streamed deltas. */
export function splitIntoPieces(text: string, count: number): string[] {
  const characters = Array.from(text);
  const size = Math.max(1, Math.ceil(characters.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    pieces.push(characters.slice(start, start + size).join(""));
  }
  return pieces;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

function answer<Content>(
  format: FakeWireFormat<Content>,
  request: FakeRequest,
  requestNumber: number,
  reply: Content | FakeFailureReply | undefined,
  response: FakeResponder,
): void {
  if (request.method !== "POST" || request.path !== format.path) {
    const message =
      `The fake ${format.apiName} server only serves POST ${format.path}, ` +
      `not ${request.method} ${request.path}; ${format.baseURLAdvice}.`;
    response.json(404, format.errorBody(404, message));
    return;
  }
  if (reply === undefined) {
    const message =
      `The fake ${format.apiName} server has no scripted reply for request #${requestNumber}; ` +
      `the code under test called the model more often than the test expected.`;
    response.json(500, format.errorBody(500, message));
    return;
  }
  if (isFailure(reply)) {
    if ("status" in reply) response.json(reply.status, format.errorBody(reply.status, reply.message), reply.headers);
    return;
  }
  format.answer(reply, isRecord(request.body) ? request.body : {}, response);
}

function isFailure<Content>(reply: Content | FakeFailureReply): reply is FakeFailureReply {
  return isRecord(reply) && ("hang" in reply || "status" in reply);
}

function responderFor(jsonHeaders: Record<string, string> | undefined, response: ServerResponse): FakeResponder {
  return {
    json: (status, body, headers) => {
      response.writeHead(status, { "content-type": "application/json", ...jsonHeaders, ...headers });
      response.end(JSON.stringify(body));
    },
    startStream: () => {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    },
    write: (frame) => {
      response.write(frame);
    },
    end: (frame) => {
      if (frame === undefined) response.end();
      else response.end(frame);
    },
  };
}

/**
 * Starts a fresh fake before each test of the surrounding `describe` and closes it after; returns
 * the fake of the test running now.
 *
 * @example
 * const fake = freshFakeEachTest(startFakeChatServer);
 * it("...", async () => { fake().enqueue({ text: "Hi" }); });
 */
export function freshFakeEachTest<T extends { close(): Promise<void> }>(start: () => Promise<T>): () => T {
  let current: T | undefined;
  beforeEach(async () => {
    current = await start();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    assert.ok(current !== undefined, "the fake exists only while a test runs");
    return current;
  };
}
