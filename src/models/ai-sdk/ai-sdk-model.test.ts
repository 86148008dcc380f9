import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { ConfigurationError } from "../../errors.js";
import { assertStreamsTextThenOneResponse, collect, deltasOf } from "../adapter-wire.test-helper.js";
import { freshFakeEachTest, jsonRequestBody } from "../fake-http-server.test-helper.js";
import type { ModelRequest, ModelToolSpec } from "../model.js";
import { ANTHROPIC_WIRE, CHAT_WIRE, RESPONSES_WIRE, WIRES } from "./ai-sdk-wires.test-helper.js";
import { AiSdkModel } from "./index.js";

const page: ModelToolSpec = {
  name: "page",
  description: "Page someone.",
  parameters: {
    type: "object",
    properties: { who: { type: "string" }, note: { type: ["string", "null"] } },
    required: ["who", "note"],
    additionalProperties: false,
  },
  strict: true,
};

const request: ModelRequest = {
  instructions: "Be brief.",
  messages: [{ role: "user", content: "Page ops and the on-call." }],
  tools: [page],
};

/** Where each wire puts the output token limit and the temperature in its request body. */
const LIMIT_FIELD: Record<string, string> = {
  [RESPONSES_WIRE.label]: "max_output_tokens",
  [CHAT_WIRE.label]: "max_tokens",
  [ANTHROPIC_WIRE.label]: "max_tokens",
};

for (const wire of WIRES) {
  describe(`AiSdkModel over ${wire.title}`, () => {
    const fake = freshFakeEachTest(wire.start);

    it("names the provider and the model as the provider package does", () => {
      const model = wire.model(fake());
      assert.equal(model.provider, wire.provider);
      assert.equal(model.id, wire === ANTHROPIC_WIRE ? "claude-sonnet-4-5" : "gpt-test");
    });

    it("generate maps text, tool calls with their arguments as JSON text, and the fake's usage", async () => {
      fake().enqueue({
        text: "Paging both.",
        toolCalls: [
          { id: "call_1", name: "page", input: { who: "ops", note: null } },
          { id: "call_2", name: "page", input: { who: "on-call", note: "ünïcode ✓" } },
        ],
        usage: { inputTokens: 321, outputTokens: 54 },
      });
      const response = await wire.model(fake()).generate(request);
      assert.deepEqual(response, {
        text: "Paging both.",
        toolCalls: [
          { id: "call_1", name: "page", arguments: '{"who":"ops","note":null}' },
          { id: "call_2", name: "page", arguments: '{"who":"on-call","note":"ünïcode ✓"}' },
        ],
        usage: { inputTokens: 321, outputTokens: 54 },
      });
    });

    it("stream yields text deltas in order, then exactly one final response with the usage", async () => {
      await assertStreamsTextThenOneResponse(fake(), wire.model(fake()), request);
    });

    it("stream ends in the same response as generate, for text with two tool calls", async () => {
      const reply = {
        text: "Paging both.",
        toolCalls: [
          { id: "call_1", name: "page", input: { who: "ops", note: null } },
          { id: "call_2", name: "page", input: { who: "on-call", note: "now" } },
        ],
        usage: { inputTokens: 70, outputTokens: 30 },
      };
      fake().enqueue(reply);
      fake().enqueue(reply);
      const model = wire.model(fake());
      const generated = await model.generate(request);
      const events = await collect(model.stream(request));
      assert.equal(deltasOf(events).join(""), "Paging both.");
      assert.deepEqual(events.at(-1), { type: "response", response: generated });
      assert.equal(events.filter((event) => event.type === "response").length, 1);
    });

    it("sends maxOutputTokens and temperature when set, and neither when not", async () => {
      fake().enqueue({ text: "a" });
      fake().enqueue({ text: "b" });
      await wire.model(fake(), { maxOutputTokens: 512, temperature: 0.2 }).generate(request);
      await wire.model(fake()).generate(request);
      const [tuned, plain] = [0, 1].map((index) => jsonRequestBody(fake().requests[index], wire.title));
      const limit = LIMIT_FIELD[wire.label] ?? "";
      assert.equal(tuned?.[limit], 512);
      assert.equal(tuned?.["temperature"], 0.2);
      assert.equal(plain?.["temperature"], undefined);
      // @ai-sdk/anthropic always sends max_tokens (the Messages API requires it): its own default.
      if (wire !== ANTHROPIC_WIRE) assert.equal(plain?.[limit], undefined);
    });

    it("closes the HTTP response when the consumer stops reading early", async () => {
      fake().enqueue({ text: "A long answer that never finishes", streamEnd: "hang" });
      for await (const event of wire.model(fake()).stream(request)) {
        assert.equal(event.type, "text-delta");
        break;
      }
      for (let poll = 0; fake().pendingRequests() > 0; poll += 1) {
        assert.ok(poll < 200, "the abandoned stream's request is still open");
        await sleep(5);
      }
    });
  });
}

describe("new AiSdkModel(model)", () => {
  const openai = createOpenAI({ baseURL: "http://127.0.0.1:9/v1", apiKey: "test-key" });

  it("refuses what is not a v3 provider model, saying what to pass", () => {
    const v2 = { ...openai.chat("gpt-test"), specificationVersion: "v2" } as unknown as LanguageModelV3;
    const cases: Array<[unknown, RegExp]> = [
      ["gpt-5.4", /not the string 'gpt-5\.4'.*new AiSdkModel\(openai\("gpt-5\.4"\)\)/],
      [undefined, /takes a provider's model object/],
      [v2, /specification v2; it needs specification v3.*npm install @ai-sdk\/openai@3 @ai-sdk\/provider@3/],
      [{ modelId: "x" }, /is not an AI SDK language model/],
    ];
    for (const [model, message] of cases) {
      assert.throws(
        () => new AiSdkModel(model as LanguageModelV3),
        (error: unknown) => error instanceof ConfigurationError && message.test(error.message),
      );
    }
  });

  it("checks maxOutputTokens, timeoutMs and maxRetries before any call", () => {
    const model = openai.chat("gpt-test");
    for (const options of [{ maxOutputTokens: 0 }, { maxOutputTokens: 1.5 }, { timeoutMs: -1 }, { maxRetries: -1 }]) {
      assert.throws(() => new AiSdkModel(model, options), ConfigurationError, JSON.stringify(options));
    }
  });
});
