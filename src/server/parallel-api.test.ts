import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fanOut } from "../workflow/parallel.test-helper.js";
import { type Json, type LiveServer, startServer } from "./server.test-helper.js";

const RUNS = "/api/workflows/fan/runs";

/** The open requirement of `run` (API JSON) asked at `stepName`. */
function openAt(run: Json, stepName: string): Json {
  const found = (run["activeRequirements"] as Json[]).find((entry) => entry["stepName"] === stepName);
  assert.ok(found !== undefined, `no open requirement at ${stepName}`);
  return found;
}

describe("a workflow paused in Parallel branches, over HTTP", () => {
  const fan = fanOut();
  let server: LiveServer;
  before(async () => {
    server = await startServer({ workflows: [fan.workflow], sweepIntervalMs: 0 });
  });
  after(async () => {
    await server?.close();
  });

  it("lists each paused branch with its path, and takes their decisions one branch at a time", async () => {
    const started = await server.post(RUNS, { input: "in" });
    assert.equal(started.status, 200);
    const run = started.body;
    assert.deepEqual(
      (run["activeRequirements"] as Json[]).map((entry) => [entry["kind"], entry["path"]]),
      [
        ["confirmation", ["fan_out", "approve"]],
        ["executor", ["fan_out", "notify"]],
      ],
    );
    const inbox = ((await server.get("/api/inbox")).body["requirements"] as Json[]).filter(
      (row) => row["runId"] === run["runId"],
    );
    assert.deepEqual(inbox.map((row) => row["summary"]).sort(), [
      "fan / fan_out / approve: Approve the budget?",
      "fan / fan_out / notify: notify wants to call notify_tool",
    ]);

    const path = `${RUNS}/${String(run["runId"])}/continue`;
    const [call] = openAt(run, "notify")["calls"] as Array<{ requirement: Json }>;
    const toolDecision = { requirementId: call?.requirement["id"], decision: { type: "confirm" } };
    const second = await server.post(path, { sessionId: run["sessionId"], decisions: [toolDecision] });
    assert.equal(second.status, 200);
    assert.deepEqual(
      [second.body["status"], (second.body["activeRequirements"] as Json[]).map((entry) => entry["path"])],
      ["paused", [["fan_out", "approve"]]],
    );
    assert.equal(fan.counter.of("notify_tool"), 1);

    // The branch decided already cannot be decided again: 409, and nothing runs.
    const again = await server.post(path, { sessionId: run["sessionId"], decisions: [toolDecision] });
    assert.equal(again.status, 409);
    assert.equal(fan.counter.of("notify_tool"), 1);

    const gate = { requirementId: openAt(second.body, "approve")["id"], decision: { type: "confirm" } };
    const done = await server.post(path, { sessionId: run["sessionId"], decisions: [gate] });
    assert.deepEqual(
      [done.status, done.body["status"], done.body["content"]],
      [200, "completed", "Report: approve(in)\n\nnotify finished\n\naudit(in)"],
    );
    assert.deepEqual(done.body["activeRequirements"], []);
  });
});
