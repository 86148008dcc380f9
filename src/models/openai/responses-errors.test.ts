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
import { OpenAIResponses, type OpenAIResponsesOptions } from "./responses.js";
import { startFakeResponsesServer } from "./responses-fake-server.test-helper.js";

/** A predicate for assert.rejects: a ModelError from OpenAI with this status and message. */
const modelError = modelErrorOf("openai");

describe("OpenAIResponses errors", () => {
  const fake = freshFakeEachTest(startFakeResponsesServer);
  const model = (options: Partial<OpenAIResponsesOptions> = {}): OpenAIResponses =>
    new OpenAIResponses({
      id: "gpt-test",
      baseURL: fake().baseURL,
      apiKey: "test-key",
      maxRetries: 0,
      ...options,
    });

  itHandlesCommonErrors({
    provider: "openai",
    fake,
    startFake: startFakeResponsesServer,
    model,
    statusErrors: [
      {
        status: 429,
        message: "Rate limit reached for gpt-test",
        expected: /^OpenAI returned 429: Rate limit reached for gpt-test/,
      },
      { status: 500, message: "The server had an error", expected: /^OpenAI returned 500: The server had an error/ },
    ],
    streamedStatusError: { status: 429, message: "Rate limit reached for gpt-test", expected: /Rate limit reached/ },
    refusedConnection: /Could not connect to OpenAI/,
    echoedKey: {
      apiKey: "sk-test-0123456789abcdef",
      message: "Incorrect API key provided: sk-test-0123456789abcdef.",
      redacted: /Incorrect API key provided: \[redacted\]/,
    },
  });

  it("rejects with the abort error when the signal fires mid-stream", async () => {
    // The SDK ends a stream silently on abort; the adapter must still report the abort.
    fake().enqueue({ text: "a long answer that never finishes", streamEnd: "hang" });
    const controller = new AbortController();
    const deltas: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const event of model().stream({ ...request, signal: controller.signal })) {
        if (event.type === "text-delta") deltas.push(event.delta);
        controller.abort();
      }
    };

    await assert.rejects(consume(), isAbortError);
    assert.ok(deltas.length >= 1);
  });

  it("fails a stream that ends without response.completed", async () => {
    fake().enqueue({ text: "cut off", streamEnd: "drop" });

    await assert.rejects(drain(model(), request), modelError(undefined, /ended before response\.completed/));
  });

  it("fails on response.failed and on an error event, with the provider's message", async () => {
    fake().enqueue({ fail: "response.failed", message: "The model crashed" });
    fake().enqueue({ fail: "error", message: "Stream broke" });
    fake().enqueue({ fail: "response.failed", message: "The model crashed again" });

    await assert.rejects(drain(model(), request), modelError(undefined, /The model crashed/));
    await assert.rejects(drain(model(), request), modelError(undefined, /Stream broke/));
    await assert.rejects(model().generate(request), modelError(undefined, /The model crashed again/));
  });
});
