import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { assertStreamsTextThenOneResponse, collect, deltasOf } from "../adapter-wire.test-helper.js";
import type { ModelRequest } from "../model.js";
import { OpenAIResponses } from "./responses.js";
import {
  type FakeResponsesServer,
  requestBody,
  startFakeResponsesServer,
} from "./responses-fake-server.test-helper.js";

const request: ModelRequest = {
  instructions: "Be brief.",
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

describe("OpenAIResponses.stream on the wire", () => {
  let fake: FakeResponsesServer;
  let model: OpenAIResponses;
  beforeEach(async () => {
    fake = await startFakeResponsesServer();
    model = new OpenAIResponses({
      id: "gpt-test",
      baseURL: fake.baseURL,
      apiKey: "test-key",
      maxRetries: 0,
    });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("yields text deltas in order, then exactly one final response", async () => {
    await assertStreamsTextThenOneResponse(fake, model, request);
  });

  it("sends the same request as generate, plus stream: true", async () => {
    fake.enqueue({ text: "a" });
    fake.enqueue({ text: "b" });
    await model.generate(request);
    await collect(model.stream(request));

    const plain = requestBody(fake.requests[0]);
    const streamed = requestBody(fake.requests[1]);
    assert.equal(plain["store"], false);
    assert.equal("stream" in plain, false);
    assert.deepEqual(streamed, { ...plain, stream: true });
  });

  it("streams a tool call and reports it only in the final response", async () => {
    fake.enqueue({
      toolCalls: [{ callId: "call_7", name: "send_alert", arguments: { to: "ops", urgent: false } }],
    });
    const events = await collect(model.stream(request));

    assert.deepEqual(events, [
      {
        type: "response",
        response: {
          text: "",
          toolCalls: [{ id: "call_7", name: "send_alert", arguments: '{"to":"ops","urgent":false}' }],
          usage: { inputTokens: 10, outputTokens: 5 },
        },
      },
    ]);
  });

  it("gives the same final response as generate for text with tool calls", async () => {
    const reply = {
      text: "Paging both.",
      toolCalls: [
        { callId: "call_1", name: "page", arguments: { who: "ops" } },
        { callId: "call_2", name: "page", arguments: { who: "on-call" } },
      ],
    };
    fake.enqueue(reply);
    fake.enqueue(reply);
    const generated = await model.generate(request);
    const events = await collect(model.stream(request));

    assert.equal(deltasOf(events).join(""), "Paging both.");
    assert.deepEqual(events.at(-1), { type: "response", response: generated });
    assert.deepEqual(
      generated.toolCalls.map((call) => call.id),
      ["call_1", "call_2"],
    );
  });
});
