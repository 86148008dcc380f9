import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, RecordingQueue, text, toolCall } from "../testing/index.js";
import { Agent } from "./agent.js";
import { Executions, makeTools } from "./agent.test-helper.js";

function queuedAgent() {
  const db = new InMemoryDb();
  const executions = new Executions();
  const queue = new RecordingQueue();
  const model = new FakeModel([toolCall("send_alert", { city: "Tokyo", message: "Heavy rain" }), text("Alert sent.")]);
  const agent = new Agent({ name: "AlertAgent", model, tools: Object.values(makeTools(executions)), db, queue });
  return { db, executions, queue, agent };
}

describe("Agent on a run queue", () => {
  it("a queued run pauses on a worker; the approval runs the tool once there, however often the doorbell rings", async () => {
    const { db, executions, queue, agent } = queuedAgent();
    const enqueued = await agent.enqueueRun("Alert Tokyo");
    const [job] = queue.take();
    assert.ok(job !== undefined);
    assert.equal(job.kind, "agent");
    const outcomes = await Promise.all([agent.processQueuedRun(job), agent.processQueuedRun(job)]);
    assert.deepEqual(outcomes.map((outcome) => outcome.action).sort(), ["ran", "skipped"]);
    const paused = await agent.getRunOutput(enqueued.runId, enqueued.sessionId);
    assert.equal(paused.status, "paused");
    const requirement = paused.activeRequirements[0];
    assert.ok(requirement !== undefined);
    await agent.enqueueContinue({
      ...enqueued,
      decisions: [{ requirementId: requirement.id, decision: { type: "confirm" } }],
    });
    assert.equal(executions.count("send_alert"), 0);
    const [again] = queue.take();
    assert.ok(again !== undefined);
    const racing = await Promise.all([agent.processQueuedRun(again), agent.processQueuedRun(again)]);
    assert.deepEqual(racing.map((outcome) => outcome.action).sort(), ["ran", "skipped"]);
    assert.equal(executions.count("send_alert"), 1);
    const done = await agent.getRunOutput(enqueued.runId, enqueued.sessionId);
    assert.equal(done.status, "completed");
    assert.equal(done.requirements[0]?.decidedBy?.kind, "code");
    const names = (await db.listRunEvents({ kind: "agent", runId: enqueued.runId })).map((entry) => entry.event);
    assert.deepEqual(names, [
      "RunStarted",
      "RunPaused",
      "RunContinued",
      "ToolCallStarted",
      "ToolCallCompleted",
      "RunCompleted",
    ]);
  });

  it("a job for a run that waits for a person, or belongs to nobody here, changes nothing", async () => {
    const { queue, agent } = queuedAgent();
    const enqueued = await agent.enqueueRun("Alert Tokyo");
    const [job] = queue.take();
    assert.ok(job !== undefined);
    await agent.processQueuedRun(job);
    assert.deepEqual(await agent.processQueuedRun(job), {
      action: "skipped",
      runId: enqueued.runId,
      reason: "needs-decision",
    });
    assert.deepEqual(await agent.processQueuedRun({ runId: "nope", sessionId: enqueued.sessionId }), {
      action: "skipped",
      runId: "nope",
      reason: "not-found",
    });
  });
});
