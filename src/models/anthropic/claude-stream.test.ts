import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { assertStreamsTextThenOneResponse, collect, deltasOf } from "../adapter-wire.test-helper.js";
import type { ModelRequest } from "../model.js";
import { Claude } from "./claude.js";
import { type FakeMessagesServer, requestBody, startFakeMessagesServer } from "./claude-fake-server.test-helper.js";

const request: ModelRequest = {
  instructions: "Be brief.",
  messages: [{ role: "user", content: "Status?" }],
  tools: [],
};

describe("Claude.stream on the wire", () => {
  let fake: FakeMessagesServer;
  let model: Claude;
  beforeEach(async () => {
    fake = await startFakeMessagesServer();
    model = new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
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
    assert.equal("stream" in plain, false);
    assert.deepEqual(streamed, { ...plain, stream: true });
  });

  it("reassembles a tool_use input streamed as input_json_delta pieces", async () => {
    const input = { to: "ops", urgent: false, message: "Disk at 91% on db-2" };
    fake.enqueue({ toolCalls: [{ id: "toolu_7", name: "send_alert", input }] });
    const events = await collect(model.stream(request));

    assert.deepEqual(events, [
      {
        type: "response",
        response: {
          text: "",
          toolCalls: [{ id: "toolu_7", name: "send_alert", arguments: JSON.stringify(input) }],
          usage: { inputTokens: 10, outputTokens: 5 },
        },
      },
    ]);
  });

  it("gives the same final response as generate for text with two tool calls", async () => {
    const reply = {
      text: "Paging both.",
      toolCalls: [
        { id: "toolu_1", name: "page", input: { who: "ops" } },
        { id: "toolu_2", name: "page", input: { who: "on-call", note: "ünïcode ✓" } },
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
      ["toolu_1", "toolu_2"],
    );
  });
});
