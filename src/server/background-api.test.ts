import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { RecordingQueue } from "../testing/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { Counter, countedStep, gatedAgent } from "../workflow/workflow.test-helper.js";
import { createServer } from "./index.js";

type Json = Record<string, unknown>;

function served(options: { queue?: boolean } = {}) {
  const db = new InMemoryDb();
  const counter = new Counter();
  const queue = new RecordingQueue();
  const { agent } = gatedAgent("alert", counter, db);
  const workflow = new Workflow({
    name: "Dual",
    db,
    ...(options.queue === false ? { storeEvents: true } : { queue }),
    steps: [new Step({ name: "send", agent, requiresConfirmation: true }), countedStep("log", counter)],
  });
  const { app } = createServer({ workflows: [workflow], sweepIntervalMs: 0 });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await app.request(path, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Json };
  };
  const work = async (): Promise<void> => {
    for (const job of queue.take()) await workflow.processQueuedRun(job);
  };
  return { db, counter, workflow, call, work };
}

/** The SSE blocks of a body as { id, event }. */
function sseEvents(text: string): Array<{ id: string | null; event: string }> {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => ({ id: /^id: (.*)$/m.exec(block)?.[1] ?? null, event: /^event: (.*)$/m.exec(block)?.[1] ?? "" }));
}

describe("background runs and stored events over HTTP", () => {
  it("?background=1 answers 202 with the run's URLs; a worker runs it; events are read by number, as JSON and SSE", async () => {
    const { counter, call, work } = served();
    const started = await call("POST", "/api/workflows/Dual/runs?background=1", { input: "Alert Tokyo" });
    assert.equal(started.status, 202);
    const run = started.json();
    assert.equal(run["status"], "pending");
    const runId = String(run["runId"]);
    const sessionId = String(run["sessionId"]);
    assert.equal(started.headers.get("location"), `/api/workflows/Dual/runs/${runId}?sessionId=${sessionId}`);
    assert.equal(run["eventsUrl"], `/api/workflows/Dual/runs/${runId}/events?sessionId=${sessionId}`);
    await work();
    const paused = (await call("GET", String(run["url"]))).json();
    const gate = paused["activeRequirement"] as Json;
    const decided = await call("POST", `/api/workflows/Dual/runs/${runId}/continue?background=1`, {
      sessionId,
      decisions: [{ requirementId: gate["id"], decision: { type: "confirm" } }],
    });
    assert.equal(decided.status, 202);
    assert.equal(counter.of("alert_tool"), 0);
    await work();
    const atTool = (await call("GET", String(run["url"]))).json();
    const calls = (atTool["activeRequirement"] as Json)["calls"] as Array<{ requirement: Json }>;
    await call("POST", `/api/workflows/Dual/runs/${runId}/continue?background=1`, {
      sessionId,
      decisions: calls.map((entry) => ({ requirementId: entry.requirement["id"], decision: { type: "confirm" } })),
    });
    await work();
    assert.equal(counter.of("alert_tool"), 1);

    const page = (await call("GET", `${String(run["eventsUrl"])}&after=0&limit=3`)).json();
    const events = page["events"] as Json[];
    assert.deepEqual(
      events.map((entry) => entry["seq"]),
      [1, 2, 3],
    );
    assert.equal(events[0]?.["event"], "WorkflowStarted");
    assert.equal((events[0]?.["data"] as Json | undefined)?.["runId"], runId);
    assert.equal(page["next"], 3);
    assert.equal(page["status"], "completed");

    // A reconnecting EventSource: everything after its Last-Event-ID, each once, in order, with ids.
    const all = (await call("GET", `${String(run["eventsUrl"])}&limit=1000`)).json()["events"] as Json[];
    const streamed = await call("GET", `${String(run["eventsUrl"])}&stream=1`, undefined, { "last-event-id": "5" });
    assert.equal(streamed.status, 200);
    const sse = sseEvents(streamed.text);
    assert.deepEqual(
      sse.map((entry) => entry.id),
      all.slice(5).map((entry) => String(entry["seq"])),
    );
    assert.equal(sse.at(-1)?.event, "WorkflowCompleted");
  });

  it("refuses ?background=1 for a workflow without a queue with a 400 that says how to fix it", async () => {
    const { call } = served({ queue: false });
    const refused = await call("POST", "/api/workflows/Dual/runs?background=1", { input: "x" });
    assert.equal(refused.status, 400);
    assert.match(String((refused.json()["error"] as Json)["message"]), /has no queue.*PgBossQueue/);
  });

  it("?stream=1 of a workflow that stores events carries ids, and the events endpoint replays them", async () => {
    const { call } = served({ queue: false });
    const streamed = await call("POST", "/api/workflows/Dual/runs?stream=1", { input: "Alert Tokyo" });
    const sse = sseEvents(streamed.text);
    assert.deepEqual(
      sse.map((entry) => entry.id),
      sse.map((_, index) => String(index + 1)),
    );
    assert.deepEqual([sse[0]?.event, sse.at(-1)?.event], ["WorkflowStarted", "StepPaused"]);
  });
});
