import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Agent } from "../../agent/index.js";
import { InMemoryDb } from "../../db/memory/index.js";
import { sendAlertTool } from "../../tools/send-alert.test-helper.js";
import { requestBody, startFakeChatServer } from "./chat-fake-server.test-helper.js";
import { OpenAIChat } from "./index.js";

describe("an agent on OpenAIChat over the wire", () => {
  it("pauses on the tool call, and after a rejection tells the model the user's note", async () => {
    const sent: string[] = [];
    const sendAlert = sendAlertTool(sent);
    const fake = await startFakeChatServer();
    try {
      fake.enqueue({
        toolCalls: [{ callId: "call_a", name: "send_alert", arguments: { city: "Tokyo", message: "Heavy rain" } }],
      });
      fake.enqueue({ text: "Understood; no alert was sent." });
      const model = new OpenAIChat({ id: "llama3.2", baseURL: fake.baseURL, maxRetries: 0 });
      const agent = new Agent({
        name: "AlertAgent",
        model,
        tools: [sendAlert],
        instructions: "Send alerts.",
        db: new InMemoryDb(),
      });

      const paused = await agent.run("Send a weather alert for Tokyo about heavy rain");
      assert.equal(paused.status, "paused");
      assert.equal(fake.requests.length, 1);
      const first = requestBody(fake.requests[0]);
      assert.deepEqual(first["tools"], [
        {
          type: "function",
          function: {
            name: "send_alert",
            description: "Send a weather alert for a city.",
            parameters: {
              type: "object",
              properties: { city: { type: "string" }, message: { type: "string" } },
              required: ["city", "message"],
              additionalProperties: false,
            },
            strict: true,
          },
        },
      ]);
      const requirement = paused.activeRequirements[0];
      assert.deepEqual(requirement?.toolExecution.toolArgs, { city: "Tokyo", message: "Heavy rain" });

      requirement?.reject("Not during the night shift");
      const done = await agent.continueRun(paused);
      assert.equal(done.content, "Understood; no alert was sent.");
      assert.deepEqual(sent, []);
      assert.equal(fake.requests.length, 2);
      assert.deepEqual(requestBody(fake.requests[1])["messages"], [
        { role: "system", content: "Send alerts." },
        { role: "user", content: "Send a weather alert for Tokyo about heavy rain" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_a",
              type: "function",
              function: { name: "send_alert", arguments: '{"city":"Tokyo","message":"Heavy rain"}' },
            },
          ],
        },
        {
          role: "tool",
          tool_call_id: "call_a",
          content:
            "The user rejected this tool call; it was not executed. Note from the user: Not during the night shift",
        },
      ]);
    } finally {
      await fake.close();
    }
  });
});
