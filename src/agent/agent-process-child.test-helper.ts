// A separate OS process for the cross-process tests. It builds the agent from scratch on the
// given SQLite file, then serves JSON-line commands from stdin: start a run, or continue one by
// id (optionally spinning until a shared start time, so two processes race for the claim).
// Tool executions are appended to a log file so the parent can count them across processes.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Agent } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { FakeModel, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { z } from "zod";

const [dbFile, logFile] = process.argv.slice(2);
if (dbFile === undefined || logFile === undefined) throw new Error("usage: <dbFile> <logFile>");

const sendAlert = tool({
  name: "send_alert",
  parameters: z.object({ city: z.string(), message: z.string() }),
  requiresConfirmation: true,
  execute: ({ city, message }) => {
    appendFileSync(logFile, `${process.pid} ${city}\n`);
    return `Alert sent for ${city}: ${message}`;
  },
});

const db = new SqliteDb({ dbFile });
const startScript = () => new FakeModel([toolCall("send_alert", { city: "Tokyo", message: "Heavy rain" })]);
const continueScript = () => new FakeModel([text(`Sent by ${process.pid}.`)]);
const build = (model: FakeModel): Agent => new Agent({ name: "AlertAgent", model, tools: [sendAlert], db });

interface Command {
  op: "start" | "continue";
  runId?: string;
  sessionId?: string;
  goAt?: number;
}

async function handle(command: Command): Promise<unknown> {
  if (command.op === "start") {
    const run = await build(startScript()).run("Send a weather alert for Tokyo about heavy rain");
    return { runId: run.runId, sessionId: run.sessionId, status: run.status };
  }
  const { runId = "", sessionId = "" } = command;
  const agent = build(continueScript());
  const loaded = await agent.getRunOutput(runId, sessionId);
  const requirements = loaded.activeRequirements.map((requirement) => ({
    ...requirement.toJSON(),
    decision: { type: "confirm" as const },
  }));
  while (command.goAt !== undefined && Date.now() < command.goAt) {
    // Spin rather than sleep: timers are too coarse to line two processes up on the claim.
  }
  try {
    const done = await agent.continueRun({ runId, sessionId, requirements });
    return { status: done.status, content: done.content };
  } catch (error) {
    const failure = error as Error & { status?: string };
    return { error: failure.name, status: failure.status };
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line) as Command))}\n`);
}
await db.close();
