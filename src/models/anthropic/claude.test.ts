import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { ConfigurationError, ModelError } from "../../errors.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import type { ModelMessage, ModelRequest, ModelToolSpec } from "../model.js";
import { Claude } from "./claude.js";
import { type FakeRequest, requestBody, startFakeMessagesServer } from "./claude-fake-server.test-helper.js";

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

const rejection = "The user rejected this tool call; it was not executed. Note from the user: not today";

const conversation: ModelMessage[] = [
  { role: "user", content: "Tell ops and the on-call about the outage." },
  {
    role: "assistant",
    content: "Sending both alerts.",
    toolCalls: [
      { id: "toolu_1", name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
      { id: "toolu_2", name: "send_alert", arguments: '{"to":"on-call","urgent":null}' },
    ],
  },
  { role: "tool", toolCallId: "toolu_1", toolName: "send_alert", content: "sent" },
  { role: "tool", toolCallId: "toolu_2", toolName: "send_alert", content: rejection },
];

const hello: ModelRequest = {
  instructions: undefined,
  messages: [{ role: "user", content: "Hi" }],
  tools: [],
};

/** The key the request carried, from whichever header the SDK used for it. */
function sentKey(request: FakeRequest | undefined): string | undefined {
  const apiKey = request?.headers["x-api-key"];
  if (typeof apiKey === "string") return apiKey;
  const authorization = request?.headers["authorization"];
  return typeof authorization === "string" ? authorization.replace(/^Bearer /, "") : undefined;
}

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

describe("Claude.generate on the wire", () => {
  const fake = freshFakeEachTest(startFakeMessagesServer);
  const model = (maxTokens?: number): Claude =>
    new Claude({ id: "claude-test", baseURL: fake().baseURL, apiKey: "test-key", maxRetries: 0, maxTokens });

  it("sends system, max_tokens, alternating turns with all tool results in one user turn, and tools", async () => {
    fake().enqueue({ text: "Done." });
    await model().generate({ instructions: "Be brief.", messages: conversation, tools: [sendAlert] });

    assert.equal(fake().requests.length, 1);
    const request = fake().requests[0];
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/messages");
    assert.equal(sentKey(request), "test-key");
    assert.equal(typeof request?.headers["anthropic-version"], "string");
    assert.deepEqual(requestBody(request), {
      model: "claude-test",
      max_tokens: 4096,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Tell ops and the on-call about the outage." },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Sending both alerts." },
            { type: "tool_use", id: "toolu_1", name: "send_alert", input: { to: "ops", urgent: true } },
            { type: "tool_use", id: "toolu_2", name: "send_alert", input: { to: "on-call", urgent: null } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "sent" },
            { type: "tool_result", tool_use_id: "toolu_2", content: rejection },
          ],
        },
      ],
      tools: [{ name: "send_alert", description: "Send an alert to a team.", input_schema: sendAlert.parameters }],
    });
  });

  it("leaves out absent tools, instructions and empty assistant text, and merges a user message into the tool-result turn", async () => {
    fake().enqueue({ text: "Hi." });
    const messages: ModelMessage[] = [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "", toolCalls: [{ id: "toolu_9", name: "ping", arguments: "{}" }] },
      { role: "tool", toolCallId: "toolu_9", toolName: "ping", content: "pong" },
      { role: "user", content: "And now?" },
      { role: "user", content: "Quickly." },
    ];
    await model(512).generate({ instructions: undefined, messages, tools: [] });

    const body = requestBody(fake().requests[0]);
    assert.equal("tools" in body, false);
    assert.equal("system" in body, false);
    assert.equal(body["max_tokens"], 512);
    assert.deepEqual(body["messages"], [
      { role: "user", content: "Hello" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_9", name: "ping", input: {} }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_9", content: "pong" },
          { type: "text", text: "And now?" },
          { type: "text", text: "Quickly." },
        ],
      },
    ]);
  });

  it("sends temperature when configured", async () => {
    fake().enqueue({ text: "ok" });
    const tuned = new Claude({
      id: "claude-test",
      baseURL: fake().baseURL,
      apiKey: "test-key",
      maxRetries: 0,
      temperature: 0.2,
    });
    await tuned.generate(hello);

    assert.equal(requestBody(fake().requests[0])["temperature"], 0.2);
  });

  it("maps text, tool calls with their input as JSON text, and usage", async () => {
    fake().enqueue({
      text: "Sending now.",
      toolCalls: [
        { id: "toolu_a", name: "send_alert", input: { to: "ops", urgent: true } },
        { id: "toolu_b", name: "page", input: {} },
      ],
      usage: { inputTokens: 321, outputTokens: 54 },
    });
    const response = await model().generate({ ...hello, tools: [sendAlert] });

    assert.deepEqual(response, {
      text: "Sending now.",
      toolCalls: [
        { id: "toolu_a", name: "send_alert", arguments: '{"to":"ops","urgent":true}' },
        { id: "toolu_b", name: "page", arguments: "{}" },
      ],
      usage: { inputTokens: 321, outputTokens: 54 },
    });
  });

  it("refuses to send a stored tool call whose arguments are not a JSON object", async () => {
    const messages: ModelMessage[] = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "", toolCalls: [{ id: "toolu_x", name: "ping", arguments: "[1,2]" }] },
    ];
    await assert.rejects(
      model().generate({ instructions: undefined, messages, tools: [] }),
      (error: unknown) => error instanceof ModelError && /toolu_x.*not a JSON object/.test(error.message),
    );
    assert.equal(fake().requests.length, 0);
  });

  it("uses a client passed in options", async () => {
    fake().enqueue({ text: "via client" });
    const client = new Anthropic({ apiKey: "client-key", baseURL: fake().baseURL, maxRetries: 0 });
    const response = await new Claude({ id: "claude-test", client }).generate(hello);

    assert.equal(response.text, "via client");
    assert.equal(sentKey(fake().requests[0]), "client-key");
  });

  it("reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL when no options are given", async () => {
    fake().enqueue({ text: "from env" });
    await withEnv({ ANTHROPIC_API_KEY: "env-key-123", ANTHROPIC_BASE_URL: fake().baseURL }, async () => {
      const response = await new Claude({ id: "claude-test", maxRetries: 0 }).generate(hello);
      assert.equal(response.text, "from env");
    });

    assert.equal(sentKey(fake().requests[0]), "env-key-123");
  });

  it("prefers the apiKey and baseURL options over the environment", async () => {
    fake().enqueue({ text: "from options" });
    await withEnv({ ANTHROPIC_API_KEY: "env-key-123", ANTHROPIC_BASE_URL: "http://127.0.0.1:1" }, async () => {
      await model().generate(hello);
    });

    assert.equal(sentKey(fake().requests[0]), "test-key");
  });
});

describe("Claude configuration", () => {
  it("constructs without an API key and reports the missing key at the first request", async () => {
    await withEnv({ ANTHROPIC_API_KEY: undefined }, async () => {
      const model = new Claude({ id: "claude-test" });
      for (const attempt of [() => model.generate(hello), () => model.stream(hello).next()]) {
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(error instanceof ModelError);
          assert.equal(error.provider, "anthropic");
          assert.equal(error.status, undefined);
          assert.match(error.message, /ANTHROPIC_API_KEY/);
          assert.match(error.message, /apiKey/);
          return true;
        });
      }
    });
  });

  it("rejects an empty id, a bad maxTokens, and a client combined with client settings", () => {
    assert.throws(() => new Claude({ id: " " }), ConfigurationError);
    assert.throws(() => new Claude({ id: "claude-test", maxTokens: 0 }), /maxTokens/);
    assert.throws(() => new Claude({ id: "claude-test", maxTokens: 10.5 }), ConfigurationError);
    const client = new Anthropic({ apiKey: "client-key" });
    assert.throws(
      () => new Claude({ id: "claude-test", client, baseURL: "http://127.0.0.1:1" }),
      (error: unknown) => error instanceof ConfigurationError && /baseURL/.test(error.message),
    );
  });
});
