import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ModelError } from "../../errors.js";
import type { ModelRequest } from "../model.js";
import {
  type FakeMessagesServer,
  startFakeMessagesServer,
} from "./claude-fake-server.test-helper.js";
import { type ClaudeOptions, Claude } from "./claude.js";

const request: ModelRequest = {
  instructions: undefined,
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

/** Drains a stream, so its failure surfaces as a rejection. */
async function drain(model: Claude, streamed: ModelRequest): Promise<void> {
  for await (const event of model.stream(streamed)) void event;
}

/** A predicate for assert.rejects: a ModelError from Anthropic with this status and message. */
function modelError(status: number | undefined, message: RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    assert.equal(error.provider, "anthropic");
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

async function waitForRequests(fake: FakeMessagesServer, count: number): Promise<void> {
  for (let attempt = 0; fake.requests.length < count; attempt += 1) {
    if (attempt > 200) throw new Error(`the fake never received request #${count}`);
    await sleep(5);
  }
}

describe("Claude errors", () => {
  let fake: FakeMessagesServer;
  const model = (options: Partial<ClaudeOptions> = {}): Claude =>
    new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0, ...options });
  beforeEach(async () => {
    fake = await startFakeMessagesServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("turns 429, 529 and 500 into ModelErrors with the status and the provider's message", async () => {
    fake.enqueue({ status: 429, message: "Number of request tokens has exceeded your rate limit" });
    fake.enqueue({ status: 529, message: "Overloaded" });
    fake.enqueue({ status: 500, message: "Internal server error" });
    fake.enqueue({ status: 529, message: "Overloaded" });

    await assert.rejects(
      model().generate(request),
      modelError(429, /^Anthropic returned 429: Number of request tokens has exceeded your rate limit \(wait/),
    );
    await assert.rejects(model().generate(request), modelError(529, /^Anthropic returned 529: Overloaded \(/));
    await assert.rejects(model().generate(request), modelError(500, /^Anthropic returned 500: Internal server error$/));
    await assert.rejects(drain(model(), request), modelError(529, /Overloaded/));
  });

  it("never puts the API key in a message, even when the provider echoes it", async () => {
    const apiKey = "sk-ant-test-0123456789abcdef";
    fake.enqueue({ status: 401, message: `invalid x-api-key: ${apiKey}` });

    await assert.rejects(model({ apiKey }).generate(request), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(apiKey), error.message);
      assert.match(error.message, /invalid x-api-key: \[redacted\] \(check ANTHROPIC_API_KEY/);
      return true;
    });
  });

  it("fails loudly on a request the test did not script", async () => {
    await assert.rejects(model().generate(request), modelError(500, /no scripted reply for request #1/));
  });

  it("turns a refused connection into a ModelError without status", async () => {
    const closed = await startFakeMessagesServer();
    await closed.close();
    const unreachable = model({ baseURL: closed.baseURL });

    await assert.rejects(unreachable.generate(request), modelError(undefined, /Could not connect to Anthropic/));
    await assert.rejects(drain(unreachable, request), modelError(undefined, /Could not connect/));
  });

  it("turns a timeout into a ModelError without status", async () => {
    fake.enqueue({ hang: true });

    await assert.rejects(
      model({ timeoutMs: 100 }).generate(request),
      modelError(undefined, /did not answer within 100 ms/),
    );
  });

  it("fails on a max_tokens stop instead of returning a truncated answer", async () => {
    fake.enqueue({ text: "The first half of", stopReason: "max_tokens" });
    fake.enqueue({
      toolCalls: [{ id: "toolu_cut", name: "send_alert", input: { to: "ops" } }],
      stopReason: "max_tokens",
    });

    await assert.rejects(
      model({ maxTokens: 64 }).generate(request),
      modelError(undefined, /max_tokens limit \(64\).*raise maxTokens/),
    );
    await assert.rejects(drain(model(), request), modelError(undefined, /max_tokens limit \(4096\)/));
  });

  it("explains the SDK's refusal of a long non-streaming request, which streaming avoids", async () => {
    fake.enqueue({ text: "streamed" });
    const large = model({ maxTokens: 64_000 });

    await assert.rejects(large.generate(request), modelError(undefined, /Streaming is required.*use stream\(\)/));
    assert.equal(fake.requests.length, 0);
    let streamed = "";
    for await (const event of large.stream(request)) if (event.type === "response") streamed = event.response.text;
    assert.equal(streamed, "streamed");
  });

  it("fails on an error event mid-stream, with the provider's message", async () => {
    fake.enqueue({ streamError: "Overloaded", errorType: "overloaded_error" });

    await assert.rejects(
      drain(model(), request),
      modelError(undefined, /error mid-stream: Overloaded \(overloaded_error\)/),
    );
  });

  it("fails a stream that ends without message_stop", async () => {
    fake.enqueue({ text: "cut off", streamEnd: "drop" });

    await assert.rejects(drain(model(), request), modelError(undefined, /ended before message_stop/));
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

  it("rejects with the abort error when the signal fires mid-stream, yielding nothing more", async () => {
    // The SDK ends a stream silently on abort and may still hand out buffered events.
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
    assert.deepEqual(events, ["text-delta"]);
  });
});
