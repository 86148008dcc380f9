import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, type FakeTurn, text, toolCall } from "../testing/index.js";
import { Connector, type ServerAddress } from "./connect.test-helper.js";
import { mcpTools } from "./index.js";
import { changeAlertDefinition, executions, prepareServerDir, startHttpServer } from "./weather-server.test-helper.js";

const TOKYO = { city: "Tokyo", message: "Heavy rain" };
const directories: string[] = [];
after(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function serverDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kern-mcp-"));
  directories.push(dir);
  prepareServerDir(dir);
  return dir;
}

/** What a test needs: an agent on the server's tools, the model's script, and the db. */
async function setUp(connector: Connector, script: FakeTurn[]) {
  const tools = await mcpTools(connector.connect, { name: "weather" });
  const model = new FakeModel(script);
  const db = new InMemoryDb();
  const agent = new Agent({ name: "Forecaster", model, tools, db });
  return { agent, model, db, tools };
}

for (const transport of ["stdio", "http"] as const) {
  describe(`MCP tools over ${transport === "stdio" ? "stdio (a child process)" : "Streamable HTTP (loopback)"}`, () => {
    let dir = "";
    let address: ServerAddress;
    let stopHttp: (() => Promise<void>) | undefined;
    const connectors: Connector[] = [];
    const connector = (): Connector => {
      const made = new Connector(address);
      connectors.push(made);
      return made;
    };

    before(async () => {
      dir = serverDir();
      if (transport === "stdio") address = { transport, dir };
      else {
        const http = await startHttpServer(dir);
        stopHttp = http.close;
        address = { transport, url: http.url };
      }
    });
    after(async () => {
      await Promise.all(connectors.map((made) => made.closeAll()));
      await stopHttp?.();
    });

    it("a gated tool pauses, shows its server, and runs exactly once after approval", async () => {
      const { agent, model, db } = await setUp(connector(), [toolCall("send_alert", TOKYO), text("Sent.")]);
      const before = executions(dir).length;
      let run = await agent.run("Alert Tokyo");
      assert.equal(run.status, "paused");
      assert.equal(executions(dir).length, before, "nothing ran before the approval");
      const [requirement] = run.activeRequirements;
      assert.equal(requirement?.toolExecution.origin, "mcp:weather");
      const json = JSON.parse(JSON.stringify(requirement)) as Record<string, Record<string, unknown>>;
      assert.equal(json["toolExecution"]?.["origin"], "mcp:weather");
      assert.equal(json["definitionChanged"], false as unknown);
      const pending = await db.listPendingRequirements({});
      assert.match(pending[0]?.summary ?? "", /^Forecaster wants to call send_alert\(.*"Tokyo".*\) on mcp:weather$/);
      requirement?.confirm();
      run = await agent.continueRun(run);
      assert.equal(run.status, "completed");
      assert.deepEqual(executions(dir).slice(before), [`send_alert ${JSON.stringify(TOKYO)}`]);
      const told = model.requests[1]?.messages.at(-1);
      assert.deepEqual(told, {
        role: "tool",
        toolCallId: told?.role === "tool" ? told.toolCallId : "",
        toolName: "send_alert",
        content: "Alert sent for Tokyo: Heavy rain",
      });
    });

    it("a tool that declares readOnlyHint runs without a gate; the model sees the server's schema", async () => {
      const { agent, model } = await setUp(connector(), [toolCall("get_forecast", { city: "Oslo" }), text("Rain.")]);
      const before = executions(dir).length;
      const run = await agent.run("Forecast for Oslo?");
      assert.equal(run.status, "completed");
      assert.deepEqual(executions(dir).slice(before), ['get_forecast {"city":"Oslo"}']);
      const spec = model.requests[0]?.tools.find((entry) => entry.name === "get_forecast");
      assert.equal(spec?.description, "Get the forecast for a city.");
      assert.equal(spec?.strict, false);
      assert.deepEqual(spec?.parameters["properties"], { city: { type: "string" } });
      assert.equal(model.requests[1]?.messages.at(-1)?.content, "Rain in Oslo");
    });

    it("a call whose tool changed after approval does not run; it comes back marked as changed", async () => {
      const made = connector();
      const { agent, db } = await setUp(made, [toolCall("send_alert", TOKYO), text("Sent.")]);
      const before = executions(dir).length;
      let run = await agent.run("Alert Tokyo");
      const first = run.activeRequirements[0];
      first?.confirm();
      changeAlertDefinition(dir, "Send a weather alert for a city, and bill the caller.");
      // A stdio server reads its definitions when it starts: the next one has the new definition.
      // kern reconnects through the factory, as a process continuing the run would.
      await made.closeAll();
      try {
        run = await agent.continueRun(run);
        assert.equal(run.status, "paused");
        assert.equal(executions(dir).length, before, "the stale approval ran nothing");
        const [changed] = run.activeRequirements;
        assert.notEqual(changed?.id, first?.id);
        assert.equal(changed?.definitionChanged, true);
        assert.equal(changed?.decision, null);
        assert.equal(changed?.toolExecution.toolCallId, first?.toolExecution.toolCallId);
        assert.match(changed?.needs ?? "", /definition changed since it was approved/);
        assert.equal((JSON.parse(JSON.stringify(changed)) as Record<string, unknown>)["definitionChanged"], true);
        const approved = run.requirements.find((entry) => entry.id === first?.id);
        assert.deepEqual([approved?.isFrozen, approved?.decision], [true, { type: "confirm" }]);
        const pending = await db.listPendingRequirements({});
        assert.match(pending[0]?.summary ?? "", /on mcp:weather \(its definition changed since it was approved\)$/);

        changed?.confirm();
        run = await agent.continueRun(run);
        assert.equal(run.status, "completed");
        assert.deepEqual(executions(dir).slice(before), [`send_alert ${JSON.stringify(TOKYO)}`]);
      } finally {
        changeAlertDefinition(dir, "Send a weather alert for a city.");
        await made.closeAll();
      }
    });

    it("a result marked isError goes to the model as the call's error", async () => {
      const atlantis = { city: "Atlantis", message: "Storm" };
      const { agent, model } = await setUp(connector(), [toolCall("send_alert", atlantis), text("Could not.")]);
      let run = await agent.run("Alert Atlantis");
      run.activeRequirements[0]?.confirm();
      run = await agent.continueRun(run);
      assert.equal(run.status, "completed");
      assert.equal(run.toJSON().tools[0]?.error, "No such city: Atlantis");
      assert.equal(model.requests[1]?.messages.at(-1)?.content, "Error: No such city: Atlantis");
    });
  });
}
