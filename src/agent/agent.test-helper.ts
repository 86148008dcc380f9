import { z } from "zod";
import type { Db } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { ModelMessage } from "../models/index.js";
import { FakeModel, type FakeScript } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";

/** Counts how many times each test tool really executed. */
export class Executions {
  readonly calls: Array<{ tool: string; args: Record<string, unknown> }> = [];
  count(name: string): number {
    return this.calls.filter((call) => call.tool === name).length;
  }
}

/** The seed's tools plus one of each gate kind, all recording their executions. */
export function makeTools(executions: Executions): Record<string, Tool> {
  const record = (name: string, args: Record<string, unknown>): void => {
    executions.calls.push({ tool: name, args });
  };
  return {
    sendAlert: tool({
      name: "send_alert",
      description: "Send a weather alert for a city.",
      parameters: z.object({ city: z.string(), message: z.string() }),
      requiresConfirmation: true,
      execute: (args) => {
        record("send_alert", args);
        return `Alert sent for ${args.city}: ${args.message}`;
      },
    }),
    getWeather: tool({
      name: "get_weather",
      description: "Current weather for a city.",
      parameters: z.object({ city: z.string() }),
      execute: (args) => {
        record("get_weather", args);
        return `Rain in ${args.city}`;
      },
    }),
    bookFlight: tool({
      name: "book_flight",
      parameters: z.object({ origin: z.string(), destination: z.string(), seats: z.number().int() }),
      userInputFields: ["destination", "seats"],
      execute: async (args) => {
        record("book_flight", args);
        return `Booked ${args.seats} seat(s) ${args.origin} -> ${args.destination}`;
      },
    }),
    runQuery: tool({
      name: "run_query",
      parameters: z.object({ sql: z.string() }),
      externalExecution: true,
    }),
    failing: tool({
      name: "flaky",
      parameters: z.object({}),
      execute: () => {
        record("flaky", {});
        throw new Error("upstream timed out");
      },
    }),
  };
}

export interface Fixture {
  agent: Agent;
  model: FakeModel;
  db: Db;
  executions: Executions;
}

export function makeAgent(script: FakeScript[], options: { db?: Db; name?: string } = {}): Fixture {
  const executions = new Executions();
  const model = new FakeModel(script);
  const db = options.db ?? new InMemoryDb();
  const agent = new Agent({
    name: options.name ?? "AlertAgent",
    model,
    tools: Object.values(makeTools(executions)),
    instructions: "You send weather alerts.",
    db,
  });
  return { agent, model, db, executions };
}

/** The tool messages the model was last told, as `name: content`. */
export function toolResultsIn(messages: readonly ModelMessage[]): string[] {
  return messages.flatMap((message) => (message.role === "tool" ? [`${message.toolName}: ${message.content}`] : []));
}

/** Checks that every tool call in the history has exactly one tool result. */
export function danglingCalls(messages: readonly ModelMessage[]): string[] {
  const calls = messages.flatMap((message) =>
    message.role === "assistant" ? message.toolCalls.map((call) => call.id) : [],
  );
  const results = messages.flatMap((message) => (message.role === "tool" ? [message.toolCallId] : []));
  return calls.filter((id) => results.filter((result) => result === id).length !== 1);
}
