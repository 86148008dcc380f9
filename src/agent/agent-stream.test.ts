import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { OpenAIResponses } from "../models/openai/index.js";
import { requestBody, startFakeResponsesServer } from "../models/openai/responses-fake-server.test-helper.js";
import { splitIntoPieces } from "../models/openai/responses-fake-wire.test-helper.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import type { AgentEvent } from "./events.js";

const sendAlert = tool({
  name: "send_alert",
  parameters: z.object({ city: z.string() }),
  requiresConfirmation: true,
  execute: ({ city }) => `sent for ${city}`,
});

async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("agent streams over the OpenAI Responses SSE wire", () => {
  it("reports text token by token, the pause with its tool call, and the continued run", async () => {
    const fake = await startFakeResponsesServer();
    try {
      fake.enqueue({ toolCalls: [{ callId: "call_1", name: "send_alert", arguments: { city: "Tokyo" } }] });
      const answer = "The alert for Tokyo went out.";
      fake.enqueue({ text: answer });
      const model = new OpenAIResponses({ id: "gpt-5.4", baseURL: fake.baseURL, apiKey: "test-key", maxRetries: 0 });
      const agent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db: new InMemoryDb() });

      const first = agent.runStream("Alert Tokyo");
      const firstEvents = await collect(first);
      assert.deepEqual(
        firstEvents.map((event) => event.event),
        ["RunStarted", "RunPaused"],
      );
      const paused = firstEvents[1];
      assert.ok(paused?.event === "RunPaused");
      assert.deepEqual(
        paused.requirements.map((call) => [call.kind, call.toolName, call.toolArgs]),
        [["confirmation", "send_alert", { city: "Tokyo" }]],
      );
      assert.equal(requestBody(fake.requests[0])["stream"], true);

      const run = await first.output;
      run.activeRequirements[0]?.confirm();
      const second = agent.continueRunStream(run);
      const events = await collect(second);
      const deltas = events.flatMap((event) => (event.event === "RunContent" ? [event.delta] : []));
      assert.deepEqual(deltas, splitIntoPieces(answer, 3));
      assert.deepEqual(
        events.map((event) => event.event),
        ["RunContinued", "ToolCallStarted", "ToolCallCompleted", ...deltas.map(() => "RunContent"), "RunCompleted"],
      );
      assert.equal((await second.output).content, answer);
    } finally {
      await fake.close();
    }
  });
});
