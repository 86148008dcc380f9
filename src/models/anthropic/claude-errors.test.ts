import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  drain,
  isAbortError,
  itHandlesCommonErrors,
  modelErrorOf,
  statusRequest as request,
} from "../adapter-wire.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import { Claude, type ClaudeOptions } from "./claude.js";
import { startFakeMessagesServer } from "./claude-fake-server.test-helper.js";

/** A predicate for assert.rejects: a ModelError from Anthropic with this status and message. */
const modelError = modelErrorOf("anthropic");

describe("Claude errors", () => {
  const fake = freshFakeEachTest(startFakeMessagesServer);
  const model = (options: Partial<ClaudeOptions> = {}): Claude =>
    new Claude({ id: "claude-test", baseURL: fake().baseURL, apiKey: "test-key", maxRetries: 0, ...options });

  itHandlesCommonErrors({
    provider: "anthropic",
    fake,
    startFake: startFakeMessagesServer,
    model,
    statusErrors: [
      {
        status: 429,
        message: "Number of request tokens has exceeded your rate limit",
        expected: /^Anthropic returned 429: Number of request tokens has exceeded your rate limit \(wait/,
      },
      { status: 529, message: "Overloaded", expected: /^Anthropic returned 529: Overloaded \(/ },
      { status: 500, message: "Internal server error", expected: /^Anthropic returned 500: Internal server error$/ },
    ],
    streamedStatusError: { status: 529, message: "Overloaded", expected: /Overloaded/ },
    refusedConnection: /Could not connect to Anthropic/,
    echoedKey: {
      apiKey: "sk-ant-test-0123456789abcdef",
      message: "invalid x-api-key: sk-ant-test-0123456789abcdef",
      redacted: /invalid x-api-key: \[redacted\] \(check ANTHROPIC_API_KEY/,
    },
  });

  it("fails on a max_tokens stop instead of returning a truncated answer", async () => {
    fake().enqueue({ text: "The first half of", stopReason: "max_tokens" });
    fake().enqueue({
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
    fake().enqueue({ text: "streamed" });
    const large = model({ maxTokens: 64_000 });

    await assert.rejects(large.generate(request), modelError(undefined, /Streaming is required.*use stream\(\)/));
    assert.equal(fake().requests.length, 0);
    let streamed = "";
    for await (const event of large.stream(request)) if (event.type === "response") streamed = event.response.text;
    assert.equal(streamed, "streamed");
  });

  it("fails on an error event mid-stream, with the provider's message", async () => {
    fake().enqueue({ streamError: "Overloaded", errorType: "overloaded_error" });

    await assert.rejects(
      drain(model(), request),
      modelError(undefined, /error mid-stream: Overloaded \(overloaded_error\)/),
    );
  });

  it("fails a stream that ends without message_stop", async () => {
    fake().enqueue({ text: "cut off", streamEnd: "drop" });

    await assert.rejects(drain(model(), request), modelError(undefined, /ended before message_stop/));
  });

  it("rejects with the abort error when the signal fires mid-stream, yielding nothing more", async () => {
    // The SDK ends a stream silently on abort and may still hand out buffered events.
    fake().enqueue({ text: "a long answer that never finishes", streamEnd: "hang" });
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
