// The application the queue bench runs in every process: the dual-HITL workflow on one
// PostgreSQL, with or without a PgBossQueue. Its tool appends `<input> <ms since epoch>` to a log
// file when it starts, so the driver measures approval-to-tool-start from what really happened.
import { appendFileSync } from "node:fs";
import { z } from "zod";
import { Agent } from "kern/agent";
import { PostgresDb } from "kern/db/postgres";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { PgBossQueue } from "kern/worker";

/** An instant model: asks for the tool with the run's input as the city, then answers. */
class EchoModel {
  provider = "bench";
  id = "echo";
  async generate(request) {
    const last = request.messages.at(-1);
    if (last?.role === "tool") return { text: "Alert sent.", toolCalls: [] };
    const args = JSON.stringify({ city: last?.content ?? "", message: "Heavy rain" });
    return { text: "", toolCalls: [{ id: "call_1", name: "send_alert", arguments: args }] };
  }
  async *stream(request) {
    yield { type: "response", response: await this.generate(request) };
  }
}

export function buildApp({ pgUrl, schema, logFile, queued, connections = 4 }) {
  const db = new PostgresDb({ dbUrl: pgUrl, schema, maxConnections: connections });
  const queue = queued ? new PgBossQueue({ dbUrl: pgUrl, schema: `${schema}_queue`, maxConnections: 2 }) : undefined;
  const sendAlert = tool({
    name: "send_alert",
    description: "Send a weather alert for a city.",
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      appendFileSync(logFile, `${city} ${Date.now()}\n`);
      return `Alert sent for ${city}`;
    },
  });
  const agent = new Agent({ name: "AlertAgent", model: new EchoModel(), tools: [sendAlert], db });
  const workflow = new Workflow({
    name: "DualConfirmation",
    db,
    ...(queue === undefined ? {} : { queue }),
    steps: [new Step({ name: "send_alert", agent, requiresConfirmation: true })],
  });
  return { db, queue, workflow };
}
