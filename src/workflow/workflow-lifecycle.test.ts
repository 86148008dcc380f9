import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCall } from "../testing/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, countedStep, freshDb, gatedAgent, pauseLabel } from "./workflow.test-helper.js";

describe("timeouts", () => {
  it("applies onTimeout once the deadline passed: cancel by default, skip or approve when set", async () => {
    for (const [onTimeout, expected] of [
      [undefined, "cancelled"],
      ["skip", "after(in)"],
      ["approve", "after(gated(in))"],
    ] as const) {
      const counter = new Counter();
      let clock = 1_000_000;
      const workflow = new Workflow({
        name: `w-${onTimeout ?? "default"}`,
        db: freshDb(),
        now: () => clock,
        steps: [
          countedStep("gated", counter, {
            requiresConfirmation: true,
            hitlTimeout: 30,
            ...(onTimeout === undefined ? {} : { onTimeout }),
          }),
          countedStep("after", counter),
        ],
      });
      const run = await workflow.run("in");
      assert.equal(run.stepRequirements[0]?.timeoutAt?.getTime(), 1_030_000, "the deadline is on the workflow's clock");
      clock += 29_999;
      await assert.rejects(
        workflow.continueRun(run),
        { name: "UnresolvedRequirementError" },
        "a millisecond before the deadline a person still decides",
      );
      clock += 1;
      const done = await workflow.continueRun(run);
      assert.equal(done.status === "cancelled" ? "cancelled" : done.content, expected);
    }
  });

  it("sweeps expired runs with expirePausedRuns() and leaves the others paused", async () => {
    const counter = new Counter();
    const db = freshDb();
    const workflow = new Workflow({
      name: "sweep",
      db,
      steps: [countedStep("gated", counter, { requiresConfirmation: true, hitlTimeout: 60, onTimeout: "approve" })],
    });
    const first = await workflow.run("a");
    const second = await workflow.run("b");
    const deadline = second.stepRequirements[0]?.timeoutAt?.getTime() ?? 0;
    const none = { escalated: 0, reminders: [], skipped: [] };
    assert.deepEqual(await workflow.expirePausedRuns(deadline - 1000), { moved: 0, ...none });
    assert.deepEqual(await workflow.expirePausedRuns(deadline + 1), { moved: 2, ...none });
    assert.equal((await workflow.getRunOutput(first.runId, first.sessionId)).content, "gated(a)");
    assert.deepEqual(await workflow.expirePausedRuns(deadline + 1), { moved: 0, ...none });
  });
});

describe("cancel, storage keys and executor runs", () => {
  it("cancels a paused run and closes its paused agent run", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent } = gatedAgent("Agent", counter, db);
    const workflow = new Workflow({ name: "w", db, steps: [new Step({ name: "s", agent })] });
    const run = await workflow.run("in");
    const agentRunId = run.stepRequirements[0]?.executorRunId ?? "";
    const cancelled = await workflow.cancelRun(run.runId, run.sessionId);
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await agent.getRunOutput(agentRunId, run.sessionId)).status, "cancelled");
    await assert.rejects(workflow.continueRun(run), { name: "RunNotPausedError", status: "cancelled" });
    assert.equal(counter.of("Agent_tool"), 0);
  });

  it("keeps the agent's runs under keys that cannot collide with the workflow's", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent } = gatedAgent("Agent", counter, db);
    const workflow = new Workflow({ name: "w", db, steps: [new Step({ name: "s", agent })] });
    const run = await workflow.run("in", { runId: "same-id", sessionId: "session" });
    const agentRun = run.stepExecutorRuns[0];
    assert.equal((await db.getRun("workflow", "same-id"))?.status, "paused");
    assert.equal((await db.getRun("agent", agentRun?.runId ?? ""))?.status, "paused");
    approve(run);
    assert.equal((await workflow.continueRun(run)).status, "completed");
  });

  it("lists one stepExecutorRuns entry per agent run even when the agent paused twice", async () => {
    const counter = new Counter();
    const db = freshDb();
    const script = [
      toolCall("Agent_tool", { target: "a" }),
      toolCall("Agent_tool", { target: "b" }),
      text("both done"),
    ];
    const { agent } = gatedAgent("Agent", counter, db, script);
    const workflow = new Workflow({ name: "w", db, steps: [new Step({ name: "s", agent })] });
    let run = await workflow.run("in");
    const pauses: string[] = [];
    while (run.isPaused) {
      pauses.push(pauseLabel(run));
      approve(run);
      run = await workflow.continueRun(run);
    }
    assert.deepEqual(pauses, ["executor:s", "executor:s"]);
    assert.equal(run.stepExecutorRuns.length, 1);
    assert.equal(run.stepExecutorRuns[0]?.status, "completed");
    assert.equal(counter.of("Agent_tool"), 2);
  });
});
