import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { ModelError } from "../../errors.js";
import {
  collect,
  deltasOf,
  drain,
  isAbortError,
  modelErrorOf,
  statusRequest as request,
} from "../adapter-wire.test-helper.js";
import { startFakeMessagesServer } from "../anthropic/claude-fake-server.test-helper.js";
import { FakeClock } from "../fake-clock.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import type { Model } from "../model.js";
import { startFakeChatServer } from "../openai/chat-fake-server.test-helper.js";
import { startFakeResponsesServer } from "../openai/responses-fake-server.test-helper.js";
import { ANTHROPIC_WIRE, CHAT_WIRE, RESPONSES_WIRE, WIRES, type WireFake } from "./ai-sdk-wires.test-helper.js";
import { AiSdkModel } from "./index.js";

/** A regression that hangs (a wait never started, an abort never seen) fails its test instead. */
const LIMIT = { timeout: 10_000 };

/** Waits until the fake has received `count` requests; fails after about a second. */
async function requestsReached(fake: { requests: unknown[] }, count: number): Promise<void> {
  for (let poll = 0; fake.requests.length < count; poll += 1) {
    assert.ok(poll < 200, `the fake never received request #${count}`);
    await sleep(5);
  }
}

for (const wire of WIRES) {
  describe(`AiSdkModel errors over ${wire.title}`, () => {
    const fake = freshFakeEachTest(wire.start);
    const modelError = modelErrorOf(wire.provider);
    const label = wire.label.replace(".", "\\.");
    const model = (timeoutMs?: number): Model =>
      wire.model(fake(), timeoutMs === undefined ? { maxRetries: 0 } : { maxRetries: 0, timeoutMs });

    it(
      "turns HTTP errors into ModelErrors with the status and the provider's message, for generate and stream",
      LIMIT,
      async () => {
        fake().enqueue({ status: 429, message: "Rate limit reached for requests" });
        fake().enqueue({ status: 500, message: "Internal server error" });
        fake().enqueue({ status: 503, message: "Service unavailable" });
        await assert.rejects(
          model().generate(request),
          modelError(429, new RegExp(`^${label} returned 429: Rate limit reached for requests \\(wait and retry`)),
        );
        await assert.rejects(model().generate(request), modelError(500, /returned 500: Internal server error$/));
        await assert.rejects(drain(model(), request), modelError(503, /returned 503: Service unavailable/));
      },
    );

    it("fails loudly on a request the test did not script", LIMIT, async () => {
      await assert.rejects(model().generate(request), modelError(500, /no scripted reply for request #1/));
    });

    it("turns a refused connection into a ModelError without status, naming the endpoint", LIMIT, async () => {
      const closed: WireFake = await wire.start();
      await closed.close();
      const unreachable = wire.model(closed, { maxRetries: 0 });
      const refused = new RegExp(`^Could not connect to ${label} at http://127\\.0\\.0\\.1:\\d+/v1/[a-z/]+ \\(`);
      await assert.rejects(unreachable.generate(request), modelError(undefined, refused));
      await assert.rejects(drain(unreachable, request), modelError(undefined, refused));
    });

    it("turns a timeout into a ModelError without status", LIMIT, async () => {
      fake().enqueue({ hang: true });
      await assert.rejects(
        model(100).generate(request),
        modelError(undefined, /took longer than timeoutMs \(100 ms\)/),
      );
    });

    it(
      "rejects with the caller's abort error, before and during a request, sending nothing when aborted first",
      LIMIT,
      async () => {
        const aborted = new AbortController();
        aborted.abort();
        await assert.rejects(model().generate({ ...request, signal: aborted.signal }), isAbortError);
        await assert.rejects(drain(model(), { ...request, signal: aborted.signal }), isAbortError);
        assert.equal(fake().requests.length, 0);

        fake().enqueue({ hang: true });
        const controller = new AbortController();
        const pending = model().generate({ ...request, signal: controller.signal });
        await requestsReached(fake(), 1);
        controller.abort();
        await assert.rejects(pending, isAbortError);
      },
    );

    it("rejects with the abort error when the signal fires mid-stream, yielding nothing more", LIMIT, async () => {
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

    it("fails a stream that ends before the provider's closing event", LIMIT, async () => {
      fake().enqueue({ text: "cut off", streamEnd: "drop" });
      await assert.rejects(drain(model(), request), modelError(undefined, /stream ended before the model finished/));
    });
  });
}

describe("AiSdkModel errors particular to one provider's wire", () => {
  const modelError = (provider: string) => modelErrorOf(provider);

  it("fails on output cut at the token limit, streamed or not, instead of returning it", LIMIT, async () => {
    const chat = await startFakeChatServer();
    const messages = await startFakeMessagesServer();
    try {
      chat.enqueue({ text: "The first half of", finishReason: "length" });
      chat.enqueue({ text: "The first half of", finishReason: "length" });
      messages.enqueue({ text: "The first half of", stopReason: "max_tokens" });
      messages.enqueue({ text: "The first half of", stopReason: "max_tokens" });
      const cut = /stopped at the token limit .*finish reason: length.*raise maxOutputTokens/;
      for (const model of [
        CHAT_WIRE.model(chat, { maxRetries: 0 }),
        ANTHROPIC_WIRE.model(messages, { maxRetries: 0 }),
      ]) {
        await assert.rejects(model.generate(request), modelError(model.provider)(undefined, cut));
        await assert.rejects(drain(model, request), modelError(model.provider)(undefined, cut));
      }
    } finally {
      await Promise.all([chat.close(), messages.close()]);
    }
  });

  it("fails on an error the provider streams, with its message", LIMIT, async () => {
    // @ai-sdk/openai turns an error frame that comes before any output into a failed request
    // (status 500, retryable); one after output, and Anthropic's, is an error part of the stream.
    const chat = await startFakeChatServer();
    const messages = await startFakeMessagesServer();
    const responses = await startFakeResponsesServer();
    try {
      chat.enqueue({ streamError: "The server had an error" });
      messages.enqueue({ streamError: "Overloaded", errorType: "overloaded_error" });
      responses.enqueue({ fail: "error", message: "Something broke" });
      const cases: Array<[Model, number | undefined, RegExp]> = [
        [CHAT_WIRE.model(chat, { maxRetries: 0 }), 500, /^openai\.chat returned 500: The server had an error$/],
        [
          ANTHROPIC_WIRE.model(messages, { maxRetries: 0 }),
          undefined,
          /^anthropic\.messages reported an error mid-stream: Overloaded \(overloaded_error\); retry the turn\.$/,
        ],
        [RESPONSES_WIRE.model(responses, { maxRetries: 0 }), 500, /^openai\.responses returned 500: Something broke$/],
      ];
      for (const [model, status, expected] of cases) {
        await assert.rejects(drain(model, request), modelError(model.provider)(status, expected));
      }
    } finally {
      await Promise.all([chat.close(), messages.close(), responses.close()]);
    }
  });

  it("retries a stream whose error frame came before any output, like a failed request", LIMIT, async () => {
    const chat = await startFakeChatServer();
    try {
      chat.enqueue({ streamError: "The server had an error" });
      chat.enqueue({ text: "Recovered." });
      const clock = new FakeClock();
      const pending = collect(CHAT_WIRE.model(chat, { maxRetries: 1, clock }).stream(request));
      assert.ok((await clock.sleeping()) > 0, "kern waits before the retry");
      clock.advance(1000);
      assert.equal(deltasOf(await pending).join(""), "Recovered.");
      assert.equal(chat.requests.length, 2);
    } finally {
      await chat.close();
    }
  });

  it("says so when a response arrived but the provider package could not read it", LIMIT, async () => {
    // Unlike Anthropic's API, the fake Messages server sends `citations: null`, which
    // @ai-sdk/anthropic refuses; without the wire helper's fix that is what happens here.
    const messages = await startFakeMessagesServer();
    try {
      messages.enqueue({ text: "Hello" });
      const strict = createAnthropic({ baseURL: `${messages.baseURL}/v1`, apiKey: "test-key" });
      await assert.rejects(
        new AiSdkModel(strict("claude-sonnet-4-5"), { maxRetries: 0 }).generate(request),
        modelError("anthropic")(
          undefined,
          /^anthropic\.messages answered .*\/v1\/messages with 200, but its provider package could not read the response \(Invalid JSON response: Type validation failed/,
        ),
      );
    } finally {
      await messages.close();
    }
  });

  it("passes on the provider package's own advice when it has no API key", LIMIT, async () => {
    const saved = process.env["OPENAI_API_KEY"];
    delete process.env["OPENAI_API_KEY"];
    try {
      const keyless = new AiSdkModel(createOpenAI({ baseURL: "http://127.0.0.1:9/v1" }).chat("gpt-test"));
      await assert.rejects(keyless.generate(request), (error: unknown) => {
        assert.ok(error instanceof ModelError);
        assert.equal(error.provider, "openai");
        assert.match(error.message, /^openai\.chat request failed: .*API key is missing.*OPENAI_API_KEY/);
        return true;
      });
    } finally {
      if (saved !== undefined) process.env["OPENAI_API_KEY"] = saved;
    }
  });
});
