import assert from "node:assert/strict";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { ConfigurationError, ModelError } from "../../errors.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import type { ModelMessage, ModelToolSpec } from "../model.js";
import { OpenAIResponses } from "./responses.js";
import { requestBody, startFakeResponsesServer } from "./responses-fake-server.test-helper.js";

const sendAlert: ModelToolSpec = {
  name: "send_alert",
  description: "Send an alert to a team.",
  parameters: {
    type: "object",
    properties: { to: { type: "string" }, urgent: { type: ["boolean", "null"] } },
    required: ["to", "urgent"],
    additionalProperties: false,
  },
  strict: true,
};

const conversation: ModelMessage[] = [
  { role: "user", content: "Tell ops and the on-call about the outage." },
  {
    role: "assistant",
    content: "Sending both alerts.",
    toolCalls: [
      { id: "call_1", name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
      { id: "call_2", name: "send_alert", arguments: '{"to":"on-call","urgent":null}' },
    ],
  },
  { role: "tool", toolCallId: "call_1", toolName: "send_alert", content: "sent" },
  {
    role: "tool",
    toolCallId: "call_2",
    toolName: "send_alert",
    content: "The user rejected this tool call. Note: not today",
  },
];

/** Runs `body` with environment variables set (or, for `undefined`, unset), then restores them. */
async function withEnv(values: Record<string, string | undefined>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (entries: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  try {
    await body();
  } finally {
    apply(saved);
  }
}

describe("OpenAIResponses.generate on the wire", () => {
  const fake = freshFakeEachTest(startFakeResponsesServer);
  const model = (): OpenAIResponses =>
    new OpenAIResponses({
      id: "gpt-test",
      baseURL: fake().baseURL,
      apiKey: "test-key",
      maxRetries: 0,
    });

  it("sends the whole conversation as input items, in order, with the tool specs", async () => {
    fake().enqueue({ text: "Done." });
    await model().generate({
      instructions: "Be brief.",
      messages: conversation,
      tools: [sendAlert],
    });

    assert.equal(fake().requests.length, 1);
    const request = fake().requests[0];
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/responses");
    assert.equal(request?.headers["authorization"], "Bearer test-key");
    assert.deepEqual(requestBody(request), {
      model: "gpt-test",
      instructions: "Be brief.",
      input: [
        { role: "user", content: "Tell ops and the on-call about the outage." },
        { role: "assistant", content: "Sending both alerts." },
        {
          type: "function_call",
          call_id: "call_1",
          name: "send_alert",
          arguments: '{"to":"ops","urgent":true}',
        },
        {
          type: "function_call",
          call_id: "call_2",
          name: "send_alert",
          arguments: '{"to":"on-call","urgent":null}',
        },
        { type: "function_call_output", call_id: "call_1", output: "sent" },
        {
          type: "function_call_output",
          call_id: "call_2",
          output: "The user rejected this tool call. Note: not today",
        },
      ],
      tools: [
        {
          type: "function",
          name: "send_alert",
          description: "Send an alert to a team.",
          parameters: sendAlert.parameters,
          strict: true,
        },
      ],
      store: false,
    });
  });

  it("leaves out absent tools, instructions and empty assistant text", async () => {
    fake().enqueue({ text: "Hi." });
    const messages: ModelMessage[] = [
      { role: "user", content: "Hello" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_9", name: "ping", arguments: "{}" }],
      },
      { role: "tool", toolCallId: "call_9", toolName: "ping", content: "pong" },
    ];
    await model().generate({ instructions: undefined, messages, tools: [] });

    const body = requestBody(fake().requests[0]);
    assert.equal("tools" in body, false);
    assert.equal("instructions" in body, false);
    assert.deepEqual(body["input"], [
      { role: "user", content: "Hello" },
      { type: "function_call", call_id: "call_9", name: "ping", arguments: "{}" },
      { type: "function_call_output", call_id: "call_9", output: "pong" },
    ]);
  });

  it("sends temperature and reasoning effort when configured", async () => {
    fake().enqueue({ text: "ok" });
    const tuned = new OpenAIResponses({
      id: "gpt-test",
      baseURL: fake().baseURL,
      apiKey: "test-key",
      maxRetries: 0,
      temperature: 0.2,
      reasoningEffort: "low",
    });
    await tuned.generate({
      instructions: undefined,
      messages: [{ role: "user", content: "x" }],
      tools: [],
    });

    const body = requestBody(fake().requests[0]);
    assert.equal(body["temperature"], 0.2);
    assert.deepEqual(body["reasoning"], { effort: "low" });
  });

  it("maps text, tool calls with their raw arguments, and usage", async () => {
    fake().enqueue({
      text: "Sending now.",
      toolCalls: [
        { callId: "call_a", name: "send_alert", arguments: { to: "ops", urgent: true } },
        { callId: "call_b", name: "page", arguments: "not json {" },
      ],
      usage: { inputTokens: 321, outputTokens: 54 },
    });
    const response = await model().generate({
      instructions: undefined,
      messages: [{ role: "user", content: "Alert ops" }],
      tools: [sendAlert],
    });

    assert.deepEqual(response, {
      text: "Sending now.",
      toolCalls: [
        { id: "call_a", name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
        { id: "call_b", name: "page", arguments: "not json {" },
      ],
      usage: { inputTokens: 321, outputTokens: 54 },
    });
  });

  it("leaves usage out when the provider does not report it", async () => {
    fake().enqueue({ text: "No usage here.", usage: null });
    const response = await model().generate({
      instructions: undefined,
      messages: [{ role: "user", content: "Hi" }],
      tools: [],
    });

    assert.deepEqual(response, { text: "No usage here.", toolCalls: [] });
  });

  it("uses a client passed in options", async () => {
    fake().enqueue({ text: "via client" });
    const client = new OpenAI({ apiKey: "client-key", baseURL: fake().baseURL, maxRetries: 0 });
    const response = await new OpenAIResponses({ id: "gpt-test", client }).generate({
      instructions: undefined,
      messages: [{ role: "user", content: "Hi" }],
      tools: [],
    });

    assert.equal(response.text, "via client");
    assert.equal(fake().requests[0]?.headers["authorization"], "Bearer client-key");
  });

  it("reads OPENAI_API_KEY and OPENAI_BASE_URL when no options are given", async () => {
    fake().enqueue({ text: "from env" });
    await withEnv({ OPENAI_API_KEY: "env-key-123", OPENAI_BASE_URL: fake().baseURL }, async () => {
      const response = await new OpenAIResponses({ id: "gpt-test", maxRetries: 0 }).generate({
        instructions: undefined,
        messages: [{ role: "user", content: "Hi" }],
        tools: [],
      });
      assert.equal(response.text, "from env");
    });

    assert.equal(fake().requests[0]?.headers["authorization"], "Bearer env-key-123");
  });
});

describe("OpenAIResponses configuration", () => {
  it("constructs without an API key and reports the missing key at the first request", async () => {
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }, async () => {
      const model = new OpenAIResponses({ id: "gpt-test" });
      const request = { instructions: undefined, messages: [], tools: [] };

      for (const attempt of [() => model.generate(request), () => model.stream(request).next()]) {
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(error instanceof ModelError);
          assert.equal(error.provider, "openai");
          assert.equal(error.status, undefined);
          assert.match(error.message, /OPENAI_API_KEY/);
          assert.match(error.message, /apiKey/);
          return true;
        });
      }
    });
  });

  it("rejects an empty model id and a client combined with client settings", () => {
    assert.throws(() => new OpenAIResponses({ id: " " }), ConfigurationError);
    const client = new OpenAI({ apiKey: "client-key" });
    assert.throws(
      () => new OpenAIResponses({ id: "gpt-test", client, baseURL: "http://127.0.0.1:1/v1" }),
      (error: unknown) => error instanceof ConfigurationError && /baseURL/.test(error.message),
    );
  });
});
