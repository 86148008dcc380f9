// One OS process of the cross-process MCP test, written as a user's program would be: it defines
// the agent from scratch (its MCP tools through a connect factory, over stdio), opens the SQLite
// file, does one thing and exits. `start` runs the agent until it pauses; `continue` approves
// every open requirement of the stored run and continues it. It prints one JSON line.
import { Agent } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { mcpTools } from "kern/mcp";
import { FakeModel, text, toolCall } from "kern/testing";
import { Connector } from "./connect.test-helper.js";

const [op, dbFile, dir, runId, sessionId] = process.argv.slice(2);
if (op === undefined || dbFile === undefined || dir === undefined)
  throw new Error("usage: <op> <dbFile> <dir> [runId sessionId]");

const connector = new Connector({ transport: "stdio", dir });
const tools = await mcpTools(connector.connect, { name: "weather" });
const model = new FakeModel(
  op === "start"
    ? [toolCall("send_alert", { city: "Tokyo", message: "Heavy rain" })]
    : [text(`Sent by ${process.pid}.`)],
);
const db = new SqliteDb({ dbFile });
const agent = new Agent({ name: "Forecaster", model, tools, db });

try {
  let run = op === "start" ? await agent.run("Alert Tokyo") : await agent.getRunOutput(runId ?? "", sessionId ?? "");
  if (op === "continue") {
    for (const requirement of run.activeRequirements) requirement.confirm();
    run = await agent.continueRun(run);
  }
  const open = run.activeRequirements.map((requirement) => ({
    origin: requirement.toolExecution.origin,
    definitionChanged: requirement.definitionChanged,
  }));
  console.log(
    JSON.stringify({
      status: run.status,
      runId: run.runId,
      sessionId: run.sessionId,
      content: run.content ?? null,
      open,
    }),
  );
} finally {
  await connector.closeAll();
  await db.close();
}
