import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { GateReminder, GateTimeout } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { type Json, startServer, waitFor } from "./server.test-helper.js";

/** An agent served on its own whose gated tool has `timeout`; `clock.now` is its clock. */
function timedAgent(timeout: GateTimeout) {
  const clock = { now: 1_000_000 };
  const sent: string[] = [];
  const send = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    timeout,
    execute: ({ city }) => {
      sent.push(city);
      return `Alert sent for ${city}`;
    },
  });
  const model = new FakeModel([toolCall("send_alert", { city: "Tokyo" }), text("Done.")]);
  const agent = new Agent({ name: "Alerter", model, tools: [send], db: new InMemoryDb(), now: () => clock.now });
  return { agent, clock, sent };
}

describe("the server's timeout sweep", () => {
  it("covers agents served on their own: a lapsed tool gate is decided without anyone calling the API", async () => {
    const { agent, clock, sent } = timedAgent({ after: 60, then: "approve" });
    const server = await startServer({ agents: [agent], sweepIntervalMs: 20 });
    try {
      const run = (await server.post("/api/agents/Alerter/runs", { input: "Alert Tokyo" })).body;
      assert.equal(run["status"], "paused");
      const read = async (): Promise<Json> =>
        (await server.get(`/api/agents/Alerter/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`))
          .body;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await read())["status"], "paused", "before the deadline the sweep leaves it");
      clock.now += 60_000;
      await waitFor("the sweep to approve the lapsed call", async () => (await read())["status"] === "completed");
      assert.deepEqual(sent, ["Tokyo"]);
    } finally {
      await server.close();
    }
  });

  it("hands each reminder that fell due to onReminder, once", async () => {
    const { agent, clock } = timedAgent({ after: 600, then: "reject", remindEvery: 60 });
    const reminders: GateReminder[] = [];
    const server = await startServer({
      agents: [agent],
      sweepIntervalMs: 20,
      onReminder: (reminder) => {
        reminders.push(reminder);
      },
    });
    try {
      const run = (await server.post("/api/agents/Alerter/runs", { input: "Alert Tokyo" })).body;
      clock.now += 60_000;
      await waitFor("a reminder", async () => reminders.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        reminders.map((reminder) => [reminder.kind, reminder.runId, reminder.ownerId]),
        [["agent", run["runId"], "Alerter"]],
      );
    } finally {
      await server.close();
    }
  });
});
