import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Agent } from "../../agent/index.js";
import { InMemoryDb } from "../../db/memory/index.js";
import { sendAlertTool } from "../../tools/send-alert.test-helper.js";
import { jsonRequestBody } from "../fake-http-server.test-helper.js";
import { ANTHROPIC_WIRE, CHAT_WIRE, RESPONSES_WIRE, type Wire } from "./ai-sdk-wires.test-helper.js";

const ask = "Send a weather alert for Tokyo about heavy rain";
const note = "Not during the night shift";
const toldModel = `The user rejected this tool call; it was not executed. Note from the user: ${note}`;
const input = { city: "Tokyo", message: "Heavy rain" };
const schema = {
  type: "object",
  properties: { city: { type: "string" }, message: { type: "string" } },
  required: ["city", "message"],
  additionalProperties: false,
};

/**
 * Per wire: where the fake's request body holds the tools and the conversation, and what the
 * tools and the conversation after the rejection must be, in that provider's own format.
 */
const EXPECTED: ReadonlyArray<{
  wire: Wire;
  tools: (stream: boolean) => unknown;
  history: (body: Record<string, unknown>) => unknown;
}> = [
  {
    wire: RESPONSES_WIRE,
    tools: () => [
      {
        type: "function",
        name: "send_alert",
        description: "Send a weather alert for a city.",
        parameters: schema,
        strict: true,
      },
    ],
    history: (body) =>
      assertedEqual(body["input"], [
        { role: "system", content: "Send alerts." },
        { role: "user", content: [{ type: "input_text", text: ask }] },
        { type: "function_call", call_id: "call_a", name: "send_alert", arguments: JSON.stringify(input) },
        { type: "function_call_output", call_id: "call_a", output: toldModel },
      ]),
  },
  {
    wire: CHAT_WIRE,
    tools: () => [
      {
        type: "function",
        function: {
          name: "send_alert",
          description: "Send a weather alert for a city.",
          parameters: schema,
          strict: true,
        },
      },
    ],
    history: (body) =>
      assertedEqual(body["messages"], [
        { role: "system", content: "Send alerts." },
        { role: "user", content: ask },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_a", type: "function", function: { name: "send_alert", arguments: JSON.stringify(input) } },
          ],
        },
        { role: "tool", tool_call_id: "call_a", content: toldModel },
      ]),
  },
  {
    wire: ANTHROPIC_WIRE,
    // The package asks for tool input streamed as it is written when it streams.
    tools: (stream) => [
      {
        name: "send_alert",
        description: "Send a weather alert for a city.",
        input_schema: schema,
        ...(stream ? { eager_input_streaming: true } : {}),
        strict: true,
      },
    ],
    history: (body) => {
      assert.deepEqual(body["system"], [{ type: "text", text: "Send alerts." }]);
      return assertedEqual(body["messages"], [
        { role: "user", content: [{ type: "text", text: ask }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_a", name: "send_alert", input }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_a", content: toldModel }] },
      ]);
    },
  },
];

function assertedEqual(actual: unknown, expected: unknown): unknown {
  assert.deepEqual(actual, expected);
  return actual;
}

describe("an agent on AiSdkModel, with official AI SDK providers over the wire", () => {
  for (const { wire, tools, history } of EXPECTED) {
    for (const stream of [false, true]) {
      const how = stream ? "streaming" : "JSON";
      it(`${wire.title} (${how}): pauses on the gated call, tells the model the rejection note, and sums the usage`, async () => {
        const sent: string[] = [];
        const fake = await wire.start();
        try {
          fake.enqueue({
            toolCalls: [{ id: "call_a", name: "send_alert", input }],
            usage: { inputTokens: 120, outputTokens: 15 },
          });
          fake.enqueue({ text: "Understood; no alert was sent.", usage: { inputTokens: 160, outputTokens: 9 } });
          const agent = new Agent({
            name: "AlertAgent",
            model: wire.model(fake, { maxRetries: 0 }),
            tools: [sendAlertTool(sent)],
            instructions: "Send alerts.",
            db: new InMemoryDb(),
          });

          const paused = await agent.run(ask, { stream });
          assert.equal(paused.status, "paused");
          assert.equal(fake.requests.length, 1);
          const first = jsonRequestBody(fake.requests[0], wire.title);
          assert.equal(first["stream"] === true, stream, "generate sends JSON requests, stream() streaming ones");
          assert.deepEqual(first["tools"], tools(stream));
          const requirement = paused.activeRequirements[0];
          assert.deepEqual(requirement?.toolExecution.toolArgs, input);
          assert.deepEqual(paused.usage, { inputTokens: 120, outputTokens: 15 });

          requirement?.reject(note);
          const done = await agent.continueRun(paused, { stream });
          assert.equal(done.status, "completed");
          assert.equal(done.content, "Understood; no alert was sent.");
          assert.deepEqual(sent, [], "the rejected tool never ran");
          assert.equal(fake.requests.length, 2);
          history(jsonRequestBody(fake.requests[1], wire.title));
          assert.deepEqual(done.usage, { inputTokens: 280, outputTokens: 24 });
        } finally {
          await fake.close();
        }
      });
    }
  }
});
