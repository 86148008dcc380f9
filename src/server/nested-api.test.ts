import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { nestedApps } from "./nested.test-helper.js";
import { type Json, type LiveServer, startServer } from "./server.test-helper.js";

describe("requirements of sub-agents over HTTP", () => {
  const apps = nestedApps(new InMemoryDb());
  let server: LiveServer;
  before(async () => {
    server = await startServer({ workflows: [apps.workflow], agents: [apps.planner], sweepIntervalMs: 0 });
  });
  after(async () => {
    await server?.close();
  });

  it("lists an agent's sub-agent call with its path, in the inbox and the run, and takes its decision by id", async () => {
    const run = (await server.post("/api/agents/Planner/runs", { input: "Plan" })).body;
    const [requirement] = run["activeRequirements"] as Json[];
    assert.deepEqual(
      [requirement?.["path"], requirement?.["toolName"]],
      [["Planner", "Alerter", "send_alert"], "send_alert"],
    );
    const rows = ((await server.get("/api/inbox")).body["requirements"] as Json[]).filter(
      (row) => row["runId"] === run["runId"],
    );
    assert.deepEqual(
      rows.map((row) => row["summary"]),
      ['Planner › Alerter wants to call send_alert({"target":"Tokyo"})'],
    );
    const done = await server.post(`/api/agents/Planner/runs/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      decisions: [{ requirementId: requirement?.["id"], decision: { type: "confirm" } }],
    });
    assert.deepEqual([done.status, done.body["status"]], [200, "completed"]);
    assert.deepEqual(apps.calls, ["send_alert Tokyo"]);
    assert.deepEqual(
      (done.body["decidedRequirements"] as Json[]).map((entry) => [entry["path"], (entry["decision"] as Json)["type"]]),
      [[["Planner", "Alerter", "send_alert"], "confirm"]],
      "the inbox's history of the run names the sub-agent's decided call",
    );
  });

  it("lists a workflow step's sub-agent call with its path from the step's agent", async () => {
    const run = (await server.post("/api/workflows/Incident/runs", { input: "db down" })).body;
    const [pause] = run["activeRequirements"] as Json[];
    const calls = pause?.["calls"] as Array<{ path: string[]; requirement: Json }>;
    assert.deepEqual(
      [pause?.["path"], calls.map((call) => call.path)],
      [["respond"], [["Coordinator", "Notifier", "page_oncall"]]],
    );
    const rows = ((await server.get("/api/inbox")).body["requirements"] as Json[]).filter(
      (row) => row["runId"] === run["runId"],
    );
    assert.deepEqual(
      rows.map((row) => row["summary"]),
      ["Incident / respond: Coordinator wants to call page_oncall (via Notifier)"],
    );
    const done = await server.post(`/api/workflows/Incident/runs/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      decisions: [{ requirementId: calls[0]?.requirement["id"], decision: { type: "confirm" } }],
    });
    assert.deepEqual([done.status, done.body["status"]], [200, "completed"]);
    assert.ok(apps.calls.includes("page_oncall db"));
  });
});
