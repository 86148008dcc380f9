import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ModelError } from "../../errors.js";
import type { ModelRequest } from "../model.js";
import { type FakeChatServer, startFakeChatServer } from "./chat-fake-server.test-helper.js";
import { type OpenAIChatOptions, OpenAIChat } from "./chat.js";

const request: ModelRequest = {
  instructions: undefined,
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

/** Drains a stream, so its failure surfaces as a rejection. */
async function drain(model: OpenAIChat, streamed: ModelRequest): Promise<void> {
  for await (const event of model.stream(streamed)) void event;
}

/** A predicate for assert.rejects: a ModelError from OpenAI with this status and message. */
function modelError(status: number | undefined, message: RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    assert.equal(error.provider, "openai");
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  };
}

function isAbortError(error: unknown): true {
  assert.ok(!(error instanceof ModelError), "an abort must not be wrapped in a ModelError");
  assert.ok(error instanceof Error && error.name === "AbortError", `got ${String(error)}`);
  return true;
}

async function waitForRequests(fake: FakeChatServer, count: number): Promise<void> {
  for (let attempt = 0; fake.requests.length < count; attempt += 1) {
    if (attempt > 200) throw new Error(`the fake never received request #${count}`);
    await sleep(5);
  }
}

describe("OpenAIChat errors", () => {
  let fake: FakeChatServer;
  const model = (options: Partial<OpenAIChatOptions> = {}): OpenAIChat =>
    new OpenAIChat({ id: "gpt-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0, ...options });
  beforeEach(async () => {
    fake = await startFakeChatServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("turns 429 and 500 into ModelErrors with the status and the provider's message", async () => {
    fake.enqueue({ status: 429, message: "Rate limit reached for gpt-test" });
    fake.enqueue({ status: 500, message: "The server had an error" });
    fake.enqueue({ status: 429, message: "Rate limit reached for gpt-test" });

    await assert.rejects(
      model().generate(request),
      modelError(429, /^OpenAI returned 429: Rate limit reached for gpt-test \(wait and retry/),
    );
    await assert.rejects(model().generate(request), modelError(500, /^OpenAI returned 500: The server had an error/));
    await assert.rejects(drain(model(), request), modelError(429, /Rate limit reached/));
  });

  it("fails loudly on a request the test did not script", async () => {
    await assert.rejects(model().generate(request), modelError(500, /no scripted reply for request #1/));
  });

  it("turns a refused connection into a ModelError without status", async () => {
    const closed = await startFakeChatServer();
    await closed.close();
    const unreachable = model({ baseURL: closed.baseURL });

    await assert.rejects(unreachable.generate(request), modelError(undefined, /Could not connect to OpenAI at http:\/\/127/));
    await assert.rejects(drain(unreachable, request), modelError(undefined, /Could not connect/));
  });

  it("turns a timeout into a ModelError without status", async () => {
    fake.enqueue({ hang: true });

    await assert.rejects(model({ timeoutMs: 100 }).generate(request), modelError(undefined, /did not answer within 100 ms/));
  });

  it("refuses a truncated turn (finish_reason length), streamed or not", async () => {
    const cut = { toolCalls: [{ callId: "call_1", name: "page", arguments: '{"who":"o' }], finishReason: "length" };
    fake.enqueue(cut);
    fake.enqueue(cut);

    await assert.rejects(model().generate(request), modelError(undefined, /finish_reason: length/));
    const yielded: string[] = [];
    await assert.rejects(async () => {
      for await (const event of model().stream(request)) yielded.push(event.type);
    }, modelError(undefined, /before it was complete/));
    assert.deepEqual(yielded, [], "no final response may be yielded for a truncated turn");
  });

  it("fails a stream that ends without a finish reason", async () => {
    fake.enqueue({ text: "cut off", streamEnd: "drop" });

    await assert.rejects(drain(model(), request), modelError(undefined, /stream ended before the model finished/));
  });

  it("fails on an error sent mid-stream, with the provider's message", async () => {
    fake.enqueue({ streamError: "The model crashed" });

    await assert.rejects(drain(model(), request), modelError(undefined, /The model crashed/));
  });

  it("never puts the API key in a message, even when the provider echoes it", async () => {
    const apiKey = "sk-test-0123456789abcdef";
    fake.enqueue({ status: 401, message: `Incorrect API key provided: ${apiKey}.` });

    await assert.rejects(model({ apiKey }).generate(request), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(apiKey), error.message);
      assert.match(error.message, /Incorrect API key provided: \[redacted\]/);
      return true;
    });
  });

  it("rejects with the abort error when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = { ...request, signal: controller.signal };

    await assert.rejects(model().generate(aborted), isAbortError);
    await assert.rejects(drain(model(), aborted), isAbortError);
    assert.equal(fake.requests.length, 0);
  });

  it("rejects with the abort error when the signal fires while waiting", async () => {
    fake.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = model().generate({ ...request, signal: controller.signal });
    await waitForRequests(fake, 1);
    controller.abort();

    await assert.rejects(pending, isAbortError);
  });

  it("rejects with the abort error when the signal fires mid-stream", async () => {
    // The SDK ends a stream silently on abort; the adapter must still report the abort.
    fake.enqueue({ text: "a long answer that never finishes", streamEnd: "hang" });
    const controller = new AbortController();
    const events: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const event of model().stream({ ...request, signal: controller.signal })) {
        events.push(event.type);
        controller.abort();
      }
    };

    await assert.rejects(consume(), isAbortError);
    assert.ok(events.length >= 1);
    assert.ok(!events.includes("response"), "an aborted stream must not yield a final response");
  });
});
