import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunNotPausedError, UnresolvedRequirementError } from "../errors.js";
import { RecordingQueue } from "../testing/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb, gatedAgent } from "./workflow.test-helper.js";

/** The seed's shape: a step gated before it runs whose agent calls a gated tool, then a logging step. */
function dualWorkflow() {
  const db = freshDb();
  const counter = new Counter();
  const queue = new RecordingQueue();
  const { agent } = gatedAgent("alert", counter, db);
  const workflow = new Workflow({
    name: "Dual",
    db,
    queue,
    steps: [new Step({ name: "send", agent, requiresConfirmation: true }), countedStep("log", counter)],
  });
  return { db, counter, queue, workflow };
}

describe("Workflow on a run queue", () => {
  it("enqueueRun stores the run pending and rings once; a worker's job drives it to each pause, then to the end", async () => {
    const { db, counter, queue, workflow } = dualWorkflow();
    const enqueued = await workflow.enqueueRun("Alert Tokyo");
    assert.equal(enqueued.status, "pending");
    assert.deepEqual(queue.take(), [
      { kind: "workflow", ownerId: "Dual", runId: enqueued.runId, sessionId: enqueued.sessionId },
    ]);
    assert.equal((await workflow.getRunOutput(enqueued.runId, enqueued.sessionId)).status, "pending");
    // Nobody else may act on a queued run: it is not paused.
    await assert.rejects(workflow.continueRun(enqueued), RunNotPausedError);
    assert.deepEqual((await workflow.recover()).workflowRuns, []);

    const [job] = queue.sent;
    assert.ok(job !== undefined);
    assert.deepEqual(await workflow.processQueuedRun(job), { action: "ran", runId: enqueued.runId, status: "paused" });
    // The same doorbell again, and one for a paused run that waits for a person: nothing happens.
    assert.deepEqual(await workflow.processQueuedRun(job), {
      action: "skipped",
      runId: enqueued.runId,
      reason: "needs-decision",
    });
    const paused = await workflow.getRunOutput(enqueued.runId, enqueued.sessionId);
    const gate = paused.stepRequirements.at(-1);
    assert.ok(gate !== undefined);
    const second = await workflow.enqueueContinue({
      ...enqueued,
      decisions: [{ requirementId: gate.id, decision: { type: "confirm" } }],
    });
    assert.equal(second.status, "pending");
    assert.equal((await workflow.processQueuedRun(job)).action, "ran");
    const atTool = await workflow.getRunOutput(enqueued.runId, enqueued.sessionId);
    assert.equal(atTool.pauseKind, "executor");
    const call = atTool.stepRequirements.at(-1)?.executorRequirements[0];
    assert.ok(call !== undefined);
    await workflow.enqueueContinue({
      ...enqueued,
      decisions: [{ requirementId: call.id, decision: { type: "confirm" } }],
    });
    assert.equal(counter.of("alert_tool"), 0, "enqueueContinue runs nothing itself");
    assert.deepEqual(await workflow.processQueuedRun(job), {
      action: "ran",
      runId: enqueued.runId,
      status: "completed",
    });
    assert.deepEqual(await workflow.processQueuedRun(job), {
      action: "skipped",
      runId: enqueued.runId,
      reason: "finished",
    });
    assert.equal(counter.of("alert_tool"), 1);
    assert.equal(counter.of("log"), 1);
    assert.equal(queue.take().length, 2);

    // Every leg's events were stored in order, numbered from 1, each leg ending on its pause or end.
    const events = await db.listRunEvents({ kind: "workflow", runId: enqueued.runId, limit: 1000 });
    assert.deepEqual(
      events.map((entry) => entry.seq),
      events.map((_, index) => index + 1),
    );
    const names = events.map((entry) => entry.event);
    assert.equal(names[0], "WorkflowStarted");
    assert.deepEqual(
      names.filter((name) => ["StepPaused", "StepExecutorPaused", "WorkflowCompleted"].includes(name)),
      ["StepPaused", "StepExecutorPaused", "WorkflowCompleted"],
    );
    assert.ok(names.includes("ToolCallStarted") && names.includes("StepExecutorContinued"));
  });

  it("enqueueContinue refuses bad input as continueRun does, storing nothing and ringing nothing", async () => {
    const { queue, workflow } = dualWorkflow();
    const enqueued = await workflow.enqueueRun("Alert Osaka");
    for (const job of queue.take()) await workflow.processQueuedRun(job);
    await assert.rejects(workflow.enqueueContinue(enqueued), UnresolvedRequirementError);
    assert.equal((await workflow.getRunOutput(enqueued.runId, enqueued.sessionId)).status, "paused");
    assert.deepEqual(queue.take(), []);
  });

  it("needs a queue to enqueue, and says how to give it one", async () => {
    const workflow = new Workflow({ name: "NoQueue", db: freshDb(), steps: [countedStep("a", new Counter())] });
    await assert.rejects(workflow.enqueueRun("x"), /needs a queue: new Workflow\(\{ \.\.\., queue: new PgBossQueue/);
  });
});
