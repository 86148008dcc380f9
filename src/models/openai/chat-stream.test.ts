import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import { assertStreamsTextThenOneResponse, collect, deltasOf } from "../adapter-wire.test-helper.js";
import type { ModelRequest } from "../model.js";
import { OpenAIChat } from "./chat.js";
import { type FakeChatServer, requestBody, startFakeChatServer } from "./chat-fake-server.test-helper.js";
import { ChatStreamAccumulator } from "./chat-mapping.js";

const request: ModelRequest = {
  instructions: "Be brief.",
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

describe("OpenAIChat.stream on the wire", () => {
  let fake: FakeChatServer;
  let model: OpenAIChat;
  beforeEach(async () => {
    fake = await startFakeChatServer();
    model = new OpenAIChat({ id: "gpt-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("yields text deltas in order, then exactly one final response with usage", async () => {
    await assertStreamsTextThenOneResponse(fake, model, request);
  });

  it("sends the same request as generate, plus stream and include_usage", async () => {
    fake.enqueue({ text: "a" });
    fake.enqueue({ text: "b" });
    await model.generate(request);
    await collect(model.stream(request));

    const plain = requestBody(fake.requests[0]);
    const streamed = requestBody(fake.requests[1]);
    assert.equal("stream" in plain, false);
    assert.deepEqual(streamed, { ...plain, stream: true, stream_options: { include_usage: true } });
  });

  it("reassembles tool calls whose arguments arrive in pieces, keeping their ids and names", async () => {
    const reply = {
      text: "Paging both.",
      toolCalls: [
        { callId: "call_1", name: "page", arguments: { who: "ops", urgent: true } },
        { callId: "call_2", name: "send_alert", arguments: { to: "on-call", message: "Disk full" } },
      ],
    };
    fake.enqueue(reply);
    fake.enqueue(reply);
    const generated = await model.generate(request);
    const events = await collect(model.stream(request));

    assert.equal(deltasOf(events).join(""), "Paging both.");
    assert.equal(events.filter((event) => event.type === "response").length, 1);
    assert.deepEqual(events.at(-1), { type: "response", response: generated });
    assert.deepEqual(generated.toolCalls, [
      { id: "call_1", name: "page", arguments: '{"who":"ops","urgent":true}' },
      { id: "call_2", name: "send_alert", arguments: '{"to":"on-call","message":"Disk full"}' },
    ]);
  });

  it("streams a tools-only turn as a single final response", async () => {
    fake.enqueue({ toolCalls: [{ callId: "call_7", name: "ping", arguments: {} }], usage: null });
    const events = await collect(model.stream(request));

    assert.deepEqual(events, [
      { type: "response", response: { text: "", toolCalls: [{ id: "call_7", name: "ping", arguments: "{}" }] } },
    ]);
  });
});

describe("ChatStreamAccumulator", () => {
  const chunk = (
    delta: ChatCompletionChunk.Choice.Delta,
    finishReason: ChatCompletionChunk.Choice["finish_reason"] = null,
  ): ChatCompletionChunk => ({
    id: "chatcmpl_1",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

  it("keys tool-call pieces by index even when two calls interleave", () => {
    const turn = new ChatStreamAccumulator();
    const pieces = [
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "b", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "a", arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"y":2}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }),
      chunk({}, "tool_calls"),
    ];
    for (const piece of pieces) assert.equal(turn.add(piece), undefined);

    assert.equal(turn.finishReason, "tool_calls");
    assert.deepEqual(turn.response(), {
      text: "",
      toolCalls: [
        { id: "call_a", name: "a", arguments: '{"x":1}' },
        { id: "call_b", name: "b", arguments: '{"y":2}' },
      ],
    });
  });

  it("has no finish reason until a chunk reports one", () => {
    const turn = new ChatStreamAccumulator();
    assert.equal(turn.add(chunk({ content: "Hel" })), "Hel");
    assert.equal(turn.add(chunk({ content: "" })), undefined);
    assert.equal(turn.finishReason, undefined);
    assert.deepEqual(turn.response(), { text: "Hel", toolCalls: [] });
  });
});
