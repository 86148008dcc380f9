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
import { OpenAIChat, type OpenAIChatOptions } from "./chat.js";
import { startFakeChatServer } from "./chat-fake-server.test-helper.js";

/** A predicate for assert.rejects: a ModelError from OpenAI with this status and message. */
const modelError = modelErrorOf("openai");

describe("OpenAIChat errors", () => {
  const fake = freshFakeEachTest(startFakeChatServer);
  const model = (options: Partial<OpenAIChatOptions> = {}): OpenAIChat =>
    new OpenAIChat({ id: "gpt-test", baseURL: fake().baseURL, apiKey: "test-key", maxRetries: 0, ...options });

  itHandlesCommonErrors({
    provider: "openai",
    fake,
    startFake: startFakeChatServer,
    model,
    statusErrors: [
      {
        status: 429,
        message: "Rate limit reached for gpt-test",
        expected: /^OpenAI returned 429: Rate limit reached for gpt-test \(wait and retry/,
      },
      { status: 500, message: "The server had an error", expected: /^OpenAI returned 500: The server had an error/ },
    ],
    streamedStatusError: { status: 429, message: "Rate limit reached for gpt-test", expected: /Rate limit reached/ },
    refusedConnection: /Could not connect to OpenAI at http:\/\/127/,
    echoedKey: {
      apiKey: "sk-test-0123456789abcdef",
      message: "Incorrect API key provided: sk-test-0123456789abcdef.",
      redacted: /Incorrect API key provided: \[redacted\]/,
    },
  });

  it("refuses a truncated turn (finish_reason length), streamed or not", async () => {
    const cut = { toolCalls: [{ callId: "call_1", name: "page", arguments: '{"who":"o' }], finishReason: "length" };
    fake().enqueue(cut);
    fake().enqueue(cut);

    await assert.rejects(model().generate(request), modelError(undefined, /finish_reason: length/));
    const yielded: string[] = [];
    await assert.rejects(
      async () => {
        for await (const event of model().stream(request)) yielded.push(event.type);
      },
      modelError(undefined, /before it was complete/),
    );
    assert.deepEqual(yielded, [], "no final response may be yielded for a truncated turn");
  });

  it("fails a stream that ends without a finish reason", async () => {
    fake().enqueue({ text: "cut off", streamEnd: "drop" });

    await assert.rejects(drain(model(), request), modelError(undefined, /stream ended before the model finished/));
  });

  it("fails on an error sent mid-stream, with the provider's message", async () => {
    fake().enqueue({ streamError: "The model crashed" });

    await assert.rejects(drain(model(), request), modelError(undefined, /The model crashed/));
  });

  it("rejects with the abort error when the signal fires mid-stream", async () => {
    // The SDK ends a stream silently on abort; the adapter must still report the abort.
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
    assert.ok(events.length >= 1);
    assert.ok(!events.includes("response"), "an aborted stream must not yield a final response");
  });
});
