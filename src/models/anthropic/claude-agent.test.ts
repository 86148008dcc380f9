import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Agent } from "../../agent/index.js";
import { InMemoryDb } from "../../db/memory/index.js";
import { sendAlertTool } from "../../tools/send-alert.test-helper.js";
import { requestBody, startFakeMessagesServer } from "./claude-fake-server.test-helper.js";
import { Claude } from "./index.js";

const sent: string[] = [];
const sendAlert = sendAlertTool(sent);

const rejected = "The user rejected this tool call; it was not executed.";

function messagesOf(body: Record<string, unknown>): unknown[] {
  return Array.isArray(body["messages"]) ? body["messages"] : [];
}

describe("an agent on Claude over the wire", () => {
  it("pauses on the tool_use, and sends the rejection note back as its tool_result", async () => {
    sent.length = 0;
    const fake = await startFakeMessagesServer();
    try {
      fake.enqueue({
        toolCalls: [{ id: "toolu_a", name: "send_alert", input: { city: "Tokyo", message: "Heavy rain" } }],
      });
      fake.enqueue({ text: "Understood; no alert was sent." });
      const model = new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
      const agent = new Agent({
        name: "AlertAgent",
        model,
        tools: [sendAlert],
        instructions: "Send alerts.",
        db: new InMemoryDb(),
      });

      const paused = await agent.run("Send a weather alert for Tokyo about heavy rain");
      assert.equal(paused.status, "paused");
      const first = requestBody(fake.requests[0]);
      assert.equal(first["system"], "Send alerts.");
      assert.deepEqual(first["tools"], [
        {
          name: "send_alert",
          description: "Send a weather alert for a city.",
          input_schema: {
            type: "object",
            properties: { city: { type: "string" }, message: { type: "string" } },
            required: ["city", "message"],
            additionalProperties: false,
          },
        },
      ]);
      assert.deepEqual(paused.activeRequirements[0]?.toolExecution.toolArgs, { city: "Tokyo", message: "Heavy rain" });

      paused.activeRequirements[0]?.reject("Not during the night shift");
      const done = await agent.continueRun(paused);
      assert.equal(done.content, "Understood; no alert was sent.");
      assert.deepEqual(sent, []);
      assert.deepEqual(messagesOf(requestBody(fake.requests[1])), [
        { role: "user", content: "Send a weather alert for Tokyo about heavy rain" },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_a", name: "send_alert", input: { city: "Tokyo", message: "Heavy rain" } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_a",
              content: `${rejected} Note from the user: Not during the night shift`,
            },
          ],
        },
      ]);
      assert.equal(fake.requests.length, 2);
    } finally {
      await fake.close();
    }
  });

  it("streams two gated calls of one turn and answers both in a single user turn, in order", async () => {
    sent.length = 0;
    const fake = await startFakeMessagesServer();
    try {
      fake.enqueue({
        text: "Sending two alerts.",
        toolCalls: [
          { id: "toolu_1", name: "send_alert", input: { city: "Osaka", message: "Wind" } },
          { id: "toolu_2", name: "send_alert", input: { city: "Kyoto", message: "Snow" } },
        ],
      });
      fake.enqueue({ text: "Osaka was alerted; Kyoto was not." });
      const model = new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
      const agent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db: new InMemoryDb() });

      const first = agent.runStream("Alert Osaka and Kyoto");
      for await (const event of first) void event;
      const paused = await first.output;
      assert.equal(requestBody(fake.requests[0])["stream"], true);
      assert.deepEqual(
        paused.activeRequirements.map((requirement) => requirement.toolExecution.toolCallId),
        ["toolu_1", "toolu_2"],
      );
      const [osaka, kyoto] = paused.activeRequirements;
      osaka?.confirm();
      kyoto?.reject("Kyoto is fine");
      const second = agent.continueRunStream(paused);
      for await (const event of second) void event;

      assert.equal((await second.output).content, "Osaka was alerted; Kyoto was not.");
      assert.deepEqual(sent, ["Osaka"]);
      const messages = messagesOf(requestBody(fake.requests[1]));
      assert.deepEqual(messages.slice(1), [
        {
          role: "assistant",
          content: [
            { type: "text", text: "Sending two alerts." },
            { type: "tool_use", id: "toolu_1", name: "send_alert", input: { city: "Osaka", message: "Wind" } },
            { type: "tool_use", id: "toolu_2", name: "send_alert", input: { city: "Kyoto", message: "Snow" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "Alert sent for Osaka: Wind" },
            { type: "tool_result", tool_use_id: "toolu_2", content: `${rejected} Note from the user: Kyoto is fine` },
          ],
        },
      ]);
    } finally {
      await fake.close();
    }
  });
});
