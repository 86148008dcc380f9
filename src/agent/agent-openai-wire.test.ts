import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { OpenAIResponses } from "../models/openai/index.js";
import { requestBody, startFakeResponsesServer } from "../models/openai/responses-fake-server.test-helper.js";
import { sendAlertTool } from "../tools/send-alert.test-helper.js";
import { Agent } from "./agent.js";

const sent: string[] = [];
const sendAlert = sendAlertTool(sent);

function inputOf(body: Record<string, unknown>): unknown[] {
  return Array.isArray(body["input"]) ? body["input"] : [];
}

describe("an agent on OpenAIResponses over the wire", () => {
  it("sends strict tool schemas, pauses on the function call, and returns the rejection note as its output", async () => {
    const fake = await startFakeResponsesServer();
    try {
      fake.enqueue({
        toolCalls: [{ callId: "call_a", name: "send_alert", arguments: { city: "Tokyo", message: "Heavy rain" } }],
      });
      fake.enqueue({ text: "Understood; no alert was sent." });
      const model = new OpenAIResponses({ id: "gpt-5.4", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
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
      assert.equal(first["instructions"], "Send alerts.");
      assert.deepEqual(first["tools"], [
        {
          type: "function",
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
      ]);
      assert.deepEqual(paused.activeRequirements[0]?.toolExecution.toolArgs, { city: "Tokyo", message: "Heavy rain" });

      paused.activeRequirements[0]?.reject("Not during the night shift");
      const done = await agent.continueRun(paused);
      assert.equal(done.content, "Understood; no alert was sent.");
      assert.deepEqual(sent, []);
      const second = inputOf(requestBody(fake.requests[1]));
      assert.deepEqual(second[0], { role: "user", content: "Send a weather alert for Tokyo about heavy rain" });
      assert.deepEqual(second[1], {
        type: "function_call",
        call_id: "call_a",
        name: "send_alert",
        arguments: '{"city":"Tokyo","message":"Heavy rain"}',
      });
      assert.deepEqual(second[2], {
        type: "function_call_output",
        call_id: "call_a",
        output: "The user rejected this tool call; it was not executed. Note from the user: Not during the night shift",
      });
      assert.equal(second.length, 3);
      assert.equal(fake.requests.length, 2);
    } finally {
      await fake.close();
    }
  });

  it("sends the approved tool's output and stores a provider error as a failed run", async () => {
    const fake = await startFakeResponsesServer();
    try {
      fake.enqueue({
        toolCalls: [{ callId: "call_b", name: "send_alert", arguments: { city: "Osaka", message: "Wind" } }],
      });
      fake.enqueue({ status: 500, message: "The server had an error" });
      const model = new OpenAIResponses({ id: "gpt-5.4", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
      const agent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db: new InMemoryDb() });
      const paused = await agent.run("Alert Osaka");
      paused.activeRequirements[0]?.confirm();
      await assert.rejects(agent.continueRun(paused), { name: "ModelError", status: 500 });
      const output = inputOf(requestBody(fake.requests[1]))[2];
      assert.deepEqual(output, {
        type: "function_call_output",
        call_id: "call_b",
        output: "Alert sent for Osaka: Wind",
      });
      assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "error");
    } finally {
      await fake.close();
    }
  });
});
