import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { CrashingDb, decide, decideCalls, type Json, scenarioOne, startServer, waitFor } from "./server.test-helper.js";

const RUNS = "/api/workflows/DualConfirmation/runs";

describe("continue with ?stream=1 (Server-Sent Events)", () => {
  it("streams the run's events and ends with the pause event, then with the end event", async () => {
    const { workflow, sent } = scenarioOne();
    const server = await startServer({ workflows: [workflow], sweepIntervalMs: 0 });
    try {
      const run = (await server.post(RUNS, { input: "Send a weather alert for Tokyo" })).body;
      const path = `${RUNS}/${String(run["runId"])}/continue`;

      const refused = await server.stream(path, { sessionId: run["sessionId"], decisions: [] });
      assert.equal(refused.status, 422, "a continue refused before it starts is a JSON error, not a stream");
      assert.match(refused.body, /UnresolvedRequirementError/);

      const first = await server.stream(path, {
        sessionId: run["sessionId"],
        decisions: decide(run, { type: "confirm" }),
      });
      assert.equal(first.status, 200);
      const names = first.events.map((entry) => entry.event);
      assert.equal(names[0], "StepContinued");
      assert.ok(names.includes("RunStarted") && names.includes("RunPaused"), names.join(", "));
      assert.equal(names.at(-1), "StepExecutorPaused");
      const pause = first.events.at(-1)?.data;
      assert.equal((pause?.["toolCalls"] as Json[] | undefined)?.[0]?.["toolName"], "send_alert");
      assert.deepEqual(sent, []);

      const paused = (await server.get(`${RUNS}/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`)).body;
      const second = await server.stream(path, {
        sessionId: run["sessionId"],
        decisions: decideCalls(paused, { type: "confirm" }),
      });
      const last = second.events.at(-1);
      assert.equal(last?.event, "WorkflowCompleted");
      assert.equal(last?.data["content"], "Logged: Alert sent for Tokyo.");
      assert.ok(second.events.some((entry) => entry.event === "ToolCallCompleted"));
      assert.deepEqual(sent, ["Tokyo"]);
    } finally {
      await server.close();
    }
  });
});

describe("start()", () => {
  it("recovers a run whose process died holding an expired claim; the tool never runs twice", async () => {
    const db = new CrashingDb();
    const { workflow, sent } = scenarioOne(db);
    let run = await workflow.run("Send a weather alert for Tokyo");
    run.stepRequirements.at(-1)?.confirm();
    run = await workflow.continueRun(run);
    for (const call of run.stepRequirements.at(-1)?.executorRequirements ?? []) call.confirm();
    db.crashOn = (record) => record.kind === "workflow" && record.status === "completed";
    await assert.rejects(workflow.continueRun(run), /process died/);
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal((await workflow.getRunOutput(run.runId, run.sessionId)).status, "running");

    const server = await startServer({ workflows: [workflow], sweepIntervalMs: 0 });
    try {
      const runPath = `${RUNS}/${run.runId}`;
      const recovered = (await server.get(`${runPath}?sessionId=${run.sessionId}`)).body;
      assert.equal(recovered["status"], "paused", "start() made the run continuable again");
      // The agent's end was stored with the log step's start; the log step's own result was not.
      const question = (recovered["stepRequirements"] as Json[]).at(-1);
      assert.equal(question?.["stepName"], "log");
      assert.equal(question?.["recovered"], true);
      assert.match(String(question?.["errorMessage"]), /may or may not have run/);
      const done = await server.post(`${runPath}/continue`, {
        sessionId: run.sessionId,
        decisions: [{ requirementId: question?.["id"], decision: { type: "retry" } }],
      });
      assert.equal(done.status, 200);
      assert.equal(done.body["status"], "completed");
      assert.equal(done.body["content"], "Logged: Alert sent for Tokyo.");
      assert.deepEqual(sent, ["Tokyo"], "the approved tool ran exactly once");
    } finally {
      await server.close();
    }
  });

  it("sweeps pauses past their deadline, applying onTimeout; 0 disables the sweep", async () => {
    const ran: string[] = [];
    let clock = 1_000_000;
    const make = (db: InMemoryDb): Workflow =>
      new Workflow({
        name: "Timed",
        db,
        now: () => clock,
        steps: [
          new Step({
            name: "deploy",
            requiresConfirmation: true,
            hitlTimeout: 60,
            onTimeout: "approve",
            executor: () => {
              ran.push("deploy");
              return "deployed";
            },
          }),
        ],
      });
    const sweeping = await startServer({ workflows: [make(new InMemoryDb())], sweepIntervalMs: 20 });
    const idle = await startServer({ workflows: [make(new InMemoryDb())], sweepIntervalMs: 0 });
    try {
      const swept = (await sweeping.post("/api/workflows/Timed/runs", { input: "go" })).body;
      const waiting = (await idle.post("/api/workflows/Timed/runs", { input: "go" })).body;
      assert.equal(swept["status"], "paused");
      clock += 60_000;
      const read = (server: typeof idle, run: Json) =>
        server.get(`/api/workflows/Timed/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`);
      await waitFor(
        "the sweep to move the timed-out run on",
        async () => (await read(sweeping, swept)).body["status"] === "completed",
      );
      assert.equal((await read(sweeping, swept)).body["content"], "deployed");
      assert.deepEqual(ran, ["deploy"]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal((await read(idle, waiting)).body["status"], "paused", "without a sweep the run waits");
    } finally {
      await sweeping.close();
      await idle.close();
    }
  });
});
