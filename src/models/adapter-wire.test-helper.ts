/**
 * What the wire tests of every provider adapter share: draining and collecting streams, the
 * streamed-text check, the assertion predicates for `ModelError`s and aborts, and
 * {@link itHandlesCommonErrors}, which registers the error cases every adapter must handle the
 * same way against its loopback fake.
 *
 * @example
 * ```ts
 * describe("Claude errors", () => {
 *   let fake: FakeMessagesServer;
 *   const model = (options: Partial<ClaudeOptions> = {}): Claude => new Claude({ ..., ...options });
 *   beforeEach(async () => { fake = await startFakeMessagesServer(); });
 *   afterEach(async () => { await fake.close(); });
 *
 *   itHandlesCommonErrors({
 *     provider: "anthropic",
 *     fake: () => fake,
 *     startFake: startFakeMessagesServer,
 *     model,
 *     statusErrors: [{ status: 529, message: "Overloaded", expected: /^Anthropic returned 529/ }],
 *     // ... streamedStatusError, refusedConnection, echoedKey ...
 *   });
 * });
 * ```
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ModelError } from "../errors.js";
import type { FakeFailureReply, FakeRequest } from "./fake-http-server.test-helper.js";
import type { Model, ModelRequest, ModelStreamEvent, ModelUsage } from "./model.js";

/** A one-message request without instructions or tools, for tests about failures. */
export const statusRequest: ModelRequest = {
  instructions: undefined,
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

/** Drains a stream, so its failure surfaces as a rejection. */
export async function drain(model: Model, request: ModelRequest): Promise<void> {
  for await (const event of model.stream(request)) void event;
}

/** Every event of a stream, in order. */
export async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const collected: ModelStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** The text deltas among stream events, in order. */
export function deltasOf(events: ModelStreamEvent[]): string[] {
  return events.flatMap((event) => (event.type === "text-delta" ? [event.delta] : []));
}

/**
 * Streams a scripted text turn and asserts what a user of `stream()` sees: several text deltas
 * that add up to the text, in order, then exactly one final response with the usage.
 */
export async function assertStreamsTextThenOneResponse(
  fake: { enqueue(reply: { text: string; usage: ModelUsage }): void },
  model: Model,
  request: ModelRequest,
): Promise<void> {
  const text = "All systems are operating normally.";
  fake.enqueue({ text, usage: { inputTokens: 40, outputTokens: 8 } });
  const events = await collect(model.stream(request));

  const deltas = deltasOf(events);
  assert.ok(deltas.length > 1, `expected several deltas, got ${deltas.length}`);
  assert.equal(deltas.join(""), text);
  assert.equal(events.length, deltas.length + 1);
  assert.deepEqual(events.at(-1), {
    type: "response",
    response: { text, toolCalls: [], usage: { inputTokens: 40, outputTokens: 8 } },
  });
}

/**
 * Predicates for assert.rejects: `modelErrorOf("openai")(429, /Rate limit/)` accepts a ModelError
 * from that provider with this status and a message matching the pattern.
 */
export function modelErrorOf(provider: string) {
  return (status: number | undefined, message: RegExp) =>
    (error: unknown): true => {
      assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
      assert.equal(error.provider, provider);
      assert.equal(error.status, status);
      assert.match(error.message, message);
      return true;
    };
}

/** A predicate for assert.rejects: the caller's abort error, not wrapped in a ModelError. */
export function isAbortError(error: unknown): true {
  assert.ok(!(error instanceof ModelError), "an abort must not be wrapped in a ModelError");
  assert.ok(error instanceof Error && error.name === "AbortError", `got ${String(error)}`);
  return true;
}

/** What {@link itHandlesCommonErrors} needs of a provider's fake server. */
export interface FakeErrorServer {
  baseURL: string;
  requests: FakeRequest[];
  enqueue(reply: FakeFailureReply): void;
  close(): Promise<void>;
}

/** Waits until the fake has received `count` requests; fails after about a second. */
async function waitForRequests(fake: FakeErrorServer, count: number): Promise<void> {
  for (let attempt = 0; fake.requests.length < count; attempt += 1) {
    if (attempt > 200) throw new Error(`the fake never received request #${count}`);
    await sleep(5);
  }
}

/** The adapter settings the common cases vary; every adapter's options accept them. */
export interface AdapterSettings {
  baseURL?: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** An HTTP error the fake answers with, and what the adapter's ModelError message must match. */
export interface StatusErrorCase {
  status: number;
  message: string;
  expected: RegExp;
}

/** One provider's side of {@link itHandlesCommonErrors}. */
export interface CommonErrorCases {
  /** The `provider` every ModelError must name, e.g. "anthropic". */
  provider: string;
  /** The fake the surrounding `describe` started in its `beforeEach`. */
  fake(): FakeErrorServer;
  /** Starts another fake of the same API; the refused-connection case closes it at once. */
  startFake(): Promise<FakeErrorServer>;
  /** The adapter under test, pointed at `fake().baseURL` unless `settings` says otherwise. */
  model(settings?: AdapterSettings): Model;
  /** HTTP errors answering one `generate` each, in order: the provider's status → hint table. */
  statusErrors: StatusErrorCase[];
  /** One more HTTP error, answering a `stream`. */
  streamedStatusError: StatusErrorCase;
  /** What a refused connection's message from `generate` must match. */
  refusedConnection: RegExp;
  /** A 401 whose message echoes the key: the key, the echo, and what the message must say. */
  echoedKey: { apiKey: string; message: string; redacted: RegExp };
}

/**
 * Registers, in the surrounding `describe`, the error tests whose behaviour is the same for every
 * adapter: HTTP statuses, a leaked key, an unscripted request, a refused connection, a timeout,
 * and an abort before and during a request.
 */
export function itHandlesCommonErrors(cases: CommonErrorCases): void {
  const { model, statusErrors, streamedStatusError } = cases;
  const modelError = modelErrorOf(cases.provider);
  const statuses = statusErrors.map((error) => String(error.status));
  const last = statuses.pop() ?? "";
  const listed = statuses.length === 0 ? last : `${statuses.join(", ")} and ${last}`;

  it(`turns ${listed} into ModelErrors with the status and the provider's message`, async () => {
    for (const { status, message } of [...statusErrors, streamedStatusError]) {
      cases.fake().enqueue({ status, message });
    }

    for (const { status, expected } of statusErrors) {
      await assert.rejects(model().generate(statusRequest), modelError(status, expected));
    }
    await assert.rejects(
      drain(model(), statusRequest),
      modelError(streamedStatusError.status, streamedStatusError.expected),
    );
  });

  it("never puts the API key in a message, even when the provider echoes it", async () => {
    const { apiKey, message, redacted } = cases.echoedKey;
    cases.fake().enqueue({ status: 401, message });

    await assert.rejects(model({ apiKey }).generate(statusRequest), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(apiKey), error.message);
      assert.match(error.message, redacted);
      return true;
    });
  });

  it("fails loudly on a request the test did not script", async () => {
    await assert.rejects(model().generate(statusRequest), modelError(500, /no scripted reply for request #1/));
  });

  it("turns a refused connection into a ModelError without status", async () => {
    const closed = await cases.startFake();
    await closed.close();
    const unreachable = model({ baseURL: closed.baseURL });

    await assert.rejects(unreachable.generate(statusRequest), modelError(undefined, cases.refusedConnection));
    await assert.rejects(drain(unreachable, statusRequest), modelError(undefined, /Could not connect/));
  });

  it("turns a timeout into a ModelError without status", async () => {
    cases.fake().enqueue({ hang: true });

    await assert.rejects(
      model({ timeoutMs: 100 }).generate(statusRequest),
      modelError(undefined, /took longer than timeoutMs \(100 ms\)/),
    );
  });

  it("rejects with the abort error when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = { ...statusRequest, signal: controller.signal };

    await assert.rejects(model().generate(aborted), isAbortError);
    await assert.rejects(drain(model(), aborted), isAbortError);
    assert.equal(cases.fake().requests.length, 0);
  });

  it("rejects with the abort error when the signal fires while waiting", async () => {
    cases.fake().enqueue({ hang: true });
    const controller = new AbortController();
    const pending = model().generate({ ...statusRequest, signal: controller.signal });
    await waitForRequests(cases.fake(), 1);
    controller.abort();

    await assert.rejects(pending, isAbortError);
  });
}
