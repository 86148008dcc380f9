// The application the scale-out tests run in many processes: server replicas import it, and
// `kern worker --module` loads it. Everything comes from the environment, so every process builds
// the same workflows on the same PostgreSQL schema and queue. Each real execution of the gated
// tool appends `<city> <toolCallId> <pid>` to KERN_SCALE_LOG (the city is the run's input) (one append is one write(2), so a
// SIGKILL cannot lose a line that was written): the tests count executions from it, never assume.
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "kern";
import { Agent } from "kern/agent";
import { PostgresDb } from "kern/db/postgres";
import { tool } from "kern/tools";
import { PgBossQueue } from "kern/worker";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const logFile = env("KERN_SCALE_LOG");
/** Each tool execution and model call takes up to this long (ms), so kills land mid-run too. */
const latencyMs = Number(env("KERN_SCALE_LATENCY_MS", "0"));
/** A fixed time the tool takes (ms): the drain and stream tests hold runs inside it. */
const toolMs = Number(env("KERN_SCALE_TOOL_MS", "0"));

async function pause(): Promise<void> {
  if (latencyMs > 0) await sleep(Math.floor(Math.random() * latencyMs));
}

/** A stateless scripted model: asks for the alert tool on the user's message, then answers in text. */
class AlertModel implements Model {
  readonly provider = "scripted";
  readonly id = "alert-model";

  async generate(request: ModelRequest): Promise<ModelResponse> {
    await pause();
    const last = request.messages.at(-1);
    if (last?.role === "tool") return { text: `Alert handled: ${last.content}`, toolCalls: [] };
    const city = last?.role === "user" ? last.content.slice(0, 40) : "Tokyo";
    const args = JSON.stringify({ city, message: "Heavy rain" });
    return {
      text: "",
      toolCalls: [{ id: `call-${Math.random().toString(36).slice(2)}`, name: "send_alert", arguments: args }],
    };
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    yield { type: "response", response: await this.generate(request) };
  }
}

const sendAlert = tool({
  name: "send_alert",
  description: "Send a weather alert for a city.",
  parameters: z.object({ city: z.string(), message: z.string() }),
  requiresConfirmation: true,
  execute: async ({ city }, context) => {
    await pause();
    if (toolMs > 0) await sleep(toolMs);
    // The city is the workflow's input, which the tests make unique per run.
    appendFileSync(logFile, `${city} ${context.toolCallId} ${process.pid}\n`);
    return `Alert sent for ${city}`;
  },
});

export const db = new PostgresDb({
  dbUrl: env("KERN_SCALE_DB_URL"),
  schema: env("KERN_SCALE_SCHEMA"),
  maxConnections: Number(env("KERN_SCALE_DB_CONNECTIONS", "6")),
});

export const queue = new PgBossQueue({
  dbUrl: env("KERN_SCALE_DB_URL"),
  schema: `${env("KERN_SCALE_SCHEMA")}_queue`,
  pollingIntervalMs: 1000,
  maxConnections: 3,
});

const leaseMs = Number(env("KERN_SCALE_LEASE_MS", "3000"));

/** The seed's dual HITL: a step gated before it runs whose agent calls a gated tool. */
export const workflow = new Workflow({
  name: "ScaleDual",
  db,
  queue,
  leaseMs,
  steps: [
    new Step({
      name: "send_alert",
      agent: new Agent({ name: "AlertAgent", model: new AlertModel(), tools: [sendAlert], db, leaseMs }),
      requiresConfirmation: true,
      confirmationMessage: "Proceed with sending the alert?",
    }),
  ],
});

/** A gate with a one-second deadline that approves, then a step that logs: the sweep's exactly-once test. */
export const sweepWorkflow = new Workflow({
  name: "SweepOnce",
  db,
  leaseMs,
  steps: [
    new Step({
      name: "after_deadline",
      executor: (input) => {
        // The input names the run: the test starts each with its own.
        appendFileSync(logFile, `${input.input} after_deadline ${process.pid}\n`);
        return "done";
      },
      requiresConfirmation: true,
      timeout: { after: 1, then: "approve" },
    }),
  ],
});

export const workflows = [workflow, sweepWorkflow];

export const workerOptions = {
  maintenanceIntervalMs: Number(env("KERN_SCALE_MAINTENANCE_MS", "1000")),
  lostJobAfterMs: 5000,
};
