import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { Connector } from "./connect.test-helper.js";
import { mcpTools } from "./index.js";
import { changeAlertDefinition, executions, prepareServerDir, startHttpServer } from "./weather-server.test-helper.js";

const dir = mkdtempSync(join(tmpdir(), "kern-mcp-workflow-"));
let server: { url: URL; close: () => Promise<void> };
const connectors: Connector[] = [];
before(async () => {
  prepareServerDir(dir);
  server = await startHttpServer(dir);
});
after(async () => {
  await Promise.all(connectors.map((connector) => connector.closeAll()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("MCP tools in a workflow step", () => {
  it("the executor pause shows the server, and a changed definition comes back as a new executor pause", async () => {
    const connector = new Connector({ transport: "http", url: server.url });
    connectors.push(connector);
    const tools = await mcpTools(connector.connect, { name: "weather" });
    const db = new InMemoryDb();
    const model = new FakeModel([toolCall("send_alert", { city: "Lima", message: "Fog" }), text("Sent.")]);
    const agent = new Agent({ name: "Forecaster", model, tools, db });
    const workflow = new Workflow({ name: "alerts", db, steps: [new Step({ name: "alert", agent })] });

    let run = await workflow.run("Alert Lima");
    assert.equal(run.status, "paused");
    const first = run.stepRequirements.at(-1);
    assert.equal(first?.executorRequirements[0]?.toolExecution.origin, "mcp:weather");
    assert.match(first?.message ?? "", /wants to call send_alert on mcp:weather;/);
    first?.executorRequirements[0]?.confirm();
    changeAlertDefinition(dir, "Send an alert, now also by SMS.");

    run = await workflow.continueRun(run);
    assert.equal(run.status, "paused");
    assert.deepEqual(executions(dir), [], "nothing ran under the approval given before the change");
    const again = run.stepRequirements.at(-1);
    assert.notEqual(again?.id, first?.id);
    const [changed] = again?.executorRequirements ?? [];
    assert.equal(changed?.definitionChanged, true);
    assert.equal(changed?.decision, null);
    const json = JSON.parse(JSON.stringify(again)) as { calls: Array<{ requirement: Record<string, unknown> }> };
    assert.equal(json.calls[0]?.requirement["definitionChanged"], true);
    const [pending] = await db.listPendingRequirements({ kind: "workflow" });
    assert.match(pending?.summary ?? "", /send_alert on mcp:weather \(its definition changed since it was approved\)/);

    changed?.confirm();
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(executions(dir), ['send_alert {"city":"Lima","message":"Fog"}']);
  });
});
