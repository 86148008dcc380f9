import assert from "node:assert/strict";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { ConfigurationError, ModelError } from "../../errors.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import type { ModelMessage, ModelRequest, ModelToolSpec } from "../model.js";
import { OpenAIChat } from "./chat.js";
import { requestBody, startFakeChatServer } from "./chat-fake-server.test-helper.js";

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

const hello: ModelRequest = {
  instructions: undefined,
  messages: [{ role: "user", content: "Hi" }],
  tools: [],
};

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

describe("OpenAIChat.generate on the wire", () => {
  const fake = freshFakeEachTest(startFakeChatServer);
  const model = (): OpenAIChat =>
    new OpenAIChat({ id: "gpt-test", baseURL: fake().baseURL, apiKey: "test-key", maxRetries: 0 });

  it("sends instructions as a system message, then the conversation in order, with the tools", async () => {
    fake().enqueue({ text: "Done." });
    await model().generate({ instructions: "Be brief.", messages: conversation, tools: [sendAlert] });

    assert.equal(fake().requests.length, 1);
    const request = fake().requests[0];
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/chat/completions");
    assert.equal(request?.headers["authorization"], "Bearer test-key");
    assert.deepEqual(requestBody(request), {
      model: "gpt-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Tell ops and the on-call about the outage." },
        {
          role: "assistant",
          content: "Sending both alerts.",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
            },
            {
              id: "call_2",
              type: "function",
              function: { name: "send_alert", arguments: '{"to":"on-call","urgent":null}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "sent" },
        {
          role: "tool",
          tool_call_id: "call_2",
          content: "The user rejected this tool call. Note: not today",
        },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "send_alert",
            description: "Send an alert to a team.",
            parameters: sendAlert.parameters,
            strict: true,
          },
        },
      ],
    });
  });

  it("leaves out absent tools and instructions, and sends null text for a tools-only turn", async () => {
    fake().enqueue({ text: "Hi." });
    const messages: ModelMessage[] = [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_9", name: "ping", arguments: "{}" }] },
      { role: "tool", toolCallId: "call_9", toolName: "ping", content: "pong" },
      { role: "assistant", content: "Pong received.", toolCalls: [] },
      { role: "user", content: "Thanks" },
    ];
    await model().generate({ instructions: undefined, messages, tools: [] });

    const body = requestBody(fake().requests[0]);
    assert.equal("tools" in body, false);
    assert.deepEqual(body["messages"], [
      { role: "user", content: "Hello" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_9", type: "function", function: { name: "ping", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "call_9", content: "pong" },
      { role: "assistant", content: "Pong received." },
      { role: "user", content: "Thanks" },
    ]);
  });

  it("sends temperature and reasoning effort when configured", async () => {
    fake().enqueue({ text: "ok" });
    const tuned = new OpenAIChat({
      id: "gpt-test",
      baseURL: fake().baseURL,
      apiKey: "test-key",
      maxRetries: 0,
      temperature: 0.2,
      reasoningEffort: "low",
    });
    await tuned.generate(hello);

    const body = requestBody(fake().requests[0]);
    assert.equal(body["temperature"], 0.2);
    assert.equal(body["reasoning_effort"], "low");
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
    const response = await model().generate({ ...hello, tools: [sendAlert] });

    assert.deepEqual(response, {
      text: "Sending now.",
      toolCalls: [
        { id: "call_a", name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
        { id: "call_b", name: "page", arguments: "not json {" },
      ],
      usage: { inputTokens: 321, outputTokens: 54 },
    });
  });

  it("reads null content as empty text and leaves out usage the server does not report", async () => {
    fake().enqueue({ toolCalls: [{ callId: "call_c", name: "ping", arguments: {} }], usage: null });
    const response = await model().generate(hello);

    assert.deepEqual(response, {
      text: "",
      toolCalls: [{ id: "call_c", name: "ping", arguments: "{}" }],
    });
  });

  it("uses a client passed in options", async () => {
    fake().enqueue({ text: "via client" });
    const client = new OpenAI({ apiKey: "client-key", baseURL: fake().baseURL, maxRetries: 0 });
    const response = await new OpenAIChat({ id: "gpt-test", client }).generate(hello);

    assert.equal(response.text, "via client");
    assert.equal(fake().requests[0]?.headers["authorization"], "Bearer client-key");
  });

  it("reads OPENAI_API_KEY and OPENAI_BASE_URL when no options are given", async () => {
    fake().enqueue({ text: "from env" });
    await withEnv({ OPENAI_API_KEY: "env-key-123", OPENAI_BASE_URL: fake().baseURL }, async () => {
      const response = await new OpenAIChat({ id: "gpt-test", maxRetries: 0 }).generate(hello);
      assert.equal(response.text, "from env");
    });

    assert.equal(fake().requests[0]?.headers["authorization"], "Bearer env-key-123");
  });

  it("serves a local OpenAI-compatible server with only a baseURL (Ollama-style)", async () => {
    fake().enqueue({ text: "from llama" });
    fake().enqueue({ text: "from env url" });
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }, async () => {
      const local = new OpenAIChat({ id: "llama3.2", baseURL: fake().baseURL, maxRetries: 0 });
      assert.equal((await local.generate(hello)).text, "from llama");
    });
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: fake().baseURL }, async () => {
      const fromEnv = new OpenAIChat({ id: "llama3.2", maxRetries: 0 });
      assert.equal((await fromEnv.generate(hello)).text, "from env url");
    });

    assert.equal(fake().requests[0]?.headers["authorization"], "Bearer not-needed");
    assert.equal(fake().requests[1]?.headers["authorization"], "Bearer not-needed");
    assert.equal(requestBody(fake().requests[0])["model"], "llama3.2");
  });
});

describe("OpenAIChat configuration", () => {
  it("constructs without an API key and reports the missing key at the first request", async () => {
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }, async () => {
      const model = new OpenAIChat({ id: "gpt-test" });
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
    assert.throws(() => new OpenAIChat({ id: " " }), ConfigurationError);
    const client = new OpenAI({ apiKey: "client-key" });
    assert.throws(
      () => new OpenAIChat({ id: "gpt-test", client, baseURL: "http://127.0.0.1:1/v1" }),
      (error: unknown) => error instanceof ConfigurationError && /baseURL/.test(error.message),
    );
  });
});
