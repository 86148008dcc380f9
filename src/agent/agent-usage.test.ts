import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { Agent } from "./agent.js";

const send = tool({
  name: "send_alert",
  parameters: z.object({ city: z.string() }),
  requiresConfirmation: true,
  execute: ({ city }) => `Sent for ${city}`,
});

function alertAgent(db: InMemoryDb, name = "Alerter"): Agent {
  const model = new FakeModel([
    toolCall("send_alert", { city: "Tokyo" }, { usage: { inputTokens: 120, outputTokens: 15 } }),
    text("Sent.", { usage: { inputTokens: 160, outputTokens: 4 } }),
  ]);
  return new Agent({ name, model, tools: [send], db });
}

describe("token usage on runs", () => {
  for (const stream of [false, true]) {
    it(`sums an agent run's model calls across its pause, stored with the run${stream ? " (streaming)" : ""}`, async () => {
      const db = new InMemoryDb();
      const agent = alertAgent(db);
      const paused = await agent.run("Alert Tokyo", { stream });
      assert.deepEqual(paused.usage, { inputTokens: 120, outputTokens: 15 });
      const stored = await agent.getRunOutput(paused.runId, paused.sessionId);
      assert.deepEqual(stored.usage, { inputTokens: 120, outputTokens: 15 });
      stored.activeRequirements[0]?.confirm();
      const done = await agent.continueRun(stored, { stream });
      assert.deepEqual(done.usage, { inputTokens: 280, outputTokens: 19 });
      assert.deepEqual((JSON.parse(JSON.stringify(done)) as { usage: unknown }).usage, done.usage);
    });
  }

  it("counts nothing for a model that reports no usage", async () => {
    const agent = new Agent({ name: "Quiet", model: new FakeModel([text("Hi.")]), db: new InMemoryDb() });
    assert.deepEqual((await agent.run("Hello")).usage, { inputTokens: 0, outputTokens: 0 });
  });

  it("gives a workflow the total over its steps' agent runs, kept up to date across pauses", async () => {
    const db = new InMemoryDb();
    const workflow = new Workflow({
      name: "alerts",
      db,
      steps: [
        new Step({ name: "first", agent: alertAgent(db, "First") }),
        new Step({ name: "second", agent: alertAgent(db, "Second") }),
      ],
    });
    let run = await workflow.run("Alert Tokyo twice");
    assert.deepEqual(run.usage, { inputTokens: 120, outputTokens: 15 });
    for (let pauses = 0; run.isPaused && pauses < 5; pauses += 1) {
      for (const call of run.stepRequirements.at(-1)?.executorRequirements ?? []) call.confirm();
      run = await workflow.continueRun(run);
    }
    assert.equal(run.status, "completed");
    assert.deepEqual(run.usage, { inputTokens: 560, outputTokens: 38 });
    const stored = await workflow.getRunOutput(run.runId, run.sessionId);
    assert.deepEqual(stored.usage, { inputTokens: 560, outputTokens: 38 });
  });
});
