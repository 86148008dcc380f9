import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import type { Tool } from "../tools/index.js";
import { Connector } from "./connect.test-helper.js";
import { type McpClientSource, type McpToolsOptions, mcpTools } from "./index.js";
import { executions, prepareServerDir, startHttpServer } from "./weather-server.test-helper.js";

const dir = mkdtempSync(join(tmpdir(), "kern-mcp-options-"));
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

function load(options: Partial<McpToolsOptions> = {}): Promise<Tool[]> {
  const connector = new Connector({ transport: "http", url: server.url });
  connectors.push(connector);
  return mcpTools(connector.connect, { name: "weather", ...options });
}

function gates(tools: readonly Tool[]): Record<string, string> {
  return Object.fromEntries(tools.map((entry) => [entry.name, entry.gate]));
}

/** A client that only lists the given tools: enough for mcpTools() to build them. */
function listingClient(names: string[]): () => Promise<Client> {
  const tools = names.map((name) => ({ name, inputSchema: { type: "object" as const } }));
  const client = { transport: {}, listTools: async () => ({ tools }) };
  return async () => client as unknown as Client;
}

describe("mcpTools() options", () => {
  it("gates every tool but the read-only ones by default, and each tool says where it comes from", async () => {
    const tools = await load();
    assert.deepEqual(gates(tools), { get_forecast: "none", send_alert: "confirmation" });
    assert.deepEqual(
      tools.map((entry) => entry.origin),
      ["mcp:weather", "mcp:weather"],
    );
  });

  it("gates exactly the tools a list names, or those a function picks", async () => {
    assert.deepEqual(gates(await load({ gate: ["get_forecast"] })), {
      get_forecast: "confirmation",
      send_alert: "none",
    });
    const seen: string[] = [];
    const picked = await load({
      gate: (definition) => {
        seen.push(`${definition.name}:${String(definition.annotations?.destructiveHint)}`);
        return definition.annotations?.destructiveHint === true ? "confirmation" : false;
      },
    });
    assert.deepEqual(gates(picked), { get_forecast: "none", send_alert: "confirmation" });
    assert.deepEqual(seen, ["get_forecast:undefined", "send_alert:true"]);
  });

  it("an ungated tool runs at once; the list's choice is what the agent obeys", async () => {
    const tools = await load({ gate: [] });
    const before = executions(dir).length;
    const agent = new Agent({
      name: "Forecaster",
      model: new FakeModel([toolCall("send_alert", { city: "Rome", message: "Heat" }), text("Sent.")]),
      tools,
      db: new InMemoryDb(),
    });
    const run = await agent.run("Alert Rome");
    assert.equal(run.status, "completed");
    assert.equal(executions(dir).length, before + 1);
  });

  it("refuses a gate list naming a tool the server does not list, and unknown or missing options", async () => {
    await assert.rejects(load({ gate: ["send_alerts"] }), {
      name: "ConfigurationError",
      message: /gates 'send_alerts', which the server does not list; its tools: get_forecast, send_alert/,
    });
    await assert.rejects(load({ gates: [] } as Partial<McpToolsOptions>), { message: /does not support 'gates'/ });
    await assert.rejects(load({ name: "" }), { message: /options.name must be the server's name/ });
    await assert.rejects(mcpTools({} as unknown as McpClientSource, { name: "weather" }), {
      message: /needs a connected MCP Client, or an async function returning one/,
    });
  });

  it("takes a connected Client as it is, and names the server as it reports itself", async () => {
    const connector = new Connector({ transport: "http", url: server.url });
    connectors.push(connector);
    const client = await connector.connect();
    const tools = await mcpTools(client);
    const reported = client.getServerVersion()?.name ?? "";
    assert.ok(reported !== "");
    assert.deepEqual(
      tools.map((entry) => entry.origin),
      tools.map(() => `mcp:${reported}`),
    );
  });

  it("calls a tool by the name toolName gives it, and asks a mapping for names a model cannot call", async () => {
    const tools = await load({ toolName: (name) => `weather_${name}` });
    const agent = new Agent({
      name: "Forecaster",
      model: new FakeModel([toolCall("weather_get_forecast", { city: "Bern" }), text("Rain.")]),
      tools,
      db: new InMemoryDb(),
    });
    assert.equal((await agent.run("Bern?")).status, "completed");
    assert.equal(executions(dir).at(-1), 'get_forecast {"city":"Bern"}');

    await assert.rejects(mcpTools(listingClient(["time.now"]), { name: "clock" }), {
      message: /MCP tool 'time.now' of server 'clock' would be called "time.now".*map it with toolName/,
    });
    const mapped = await mcpTools(listingClient(["time.now"]), {
      name: "clock",
      toolName: (name) => name.replaceAll(".", "_"),
    });
    assert.deepEqual(
      mapped.map((entry) => entry.name),
      ["time_now"],
    );
  });

  it("checks the model's arguments against the server's input schema before calling the server", async () => {
    const tools = await load();
    const model = new FakeModel([toolCall("get_forecast", { city: 42 }), text("Sorry.")]);
    const agent = new Agent({ name: "Forecaster", model, tools, db: new InMemoryDb() });
    const before = executions(dir).length;
    const run = await agent.run("Forecast?");
    assert.equal(run.status, "completed");
    assert.equal(executions(dir).length, before, "the server was not called");
    assert.match(run.toJSON().tools[0]?.error ?? "", /^Invalid arguments for tool 'get_forecast': .*city.*string/);
  });

  it("gives the gated tools the approvers it is given", async () => {
    const tools = await load({ approvers: ["ops"] });
    const agent = new Agent({
      name: "Forecaster",
      model: new FakeModel([toolCall("send_alert", { city: "Oslo", message: "Snow" }), text("Sent.")]),
      tools,
      db: new InMemoryDb(),
    });
    const run = await agent.run("Alert Oslo");
    run.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(run, { actor: { id: "sam", roles: ["sales"] } }), {
      name: "NotAuthorizedError",
    });
    const done = await agent.continueRun(run, { actor: { id: "olga", roles: ["ops"] } });
    assert.equal(done.status, "completed");
  });

  it("gives the gated tools its timeout, policy and editableArgs, and leaves the ungated ones without", async () => {
    const tools = await load({
      timeout: { after: 60, then: "reject" },
      policy: function noAlertsAtNight() {
        return { verdict: "deny" as const, reason: "alerts are paused tonight" };
      },
      editableArgs: false,
    });
    const alert = tools.find((entry) => entry.name === "send_alert");
    const forecast = tools.find((entry) => entry.name === "get_forecast");
    assert.equal(alert?.editableArgs, false);
    assert.equal(alert?.timeout?.after, 60);
    assert.equal(forecast?.timeout ?? null, null);
    const agent = new Agent({
      name: "Forecaster",
      model: new FakeModel([toolCall("send_alert", { city: "Oslo", message: "Snow" }), text("Not sent.")]),
      tools,
      db: new InMemoryDb(),
    });
    const run = await agent.run("Alert Oslo");
    assert.equal(run.status, "completed", "the policy denied the call without a pause");
    assert.match(run.toJSON().tools[0]?.result ?? "", /alerts are paused tonight/);
  });
});
