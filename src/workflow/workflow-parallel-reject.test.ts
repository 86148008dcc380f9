import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activeAt, activeLabels, approveAt, fanOut, rejectAt } from "./parallel.test-helper.js";
import { countedStep } from "./workflow.test-helper.js";

describe("a rejection inside a Parallel branch", () => {
  it('lets the siblings go on by default (onBranchReject: "continue")', async () => {
    const { workflow, counter } = fanOut();
    const run = await workflow.run("in");
    rejectAt(run, "approve", "over budget");
    const second = await workflow.continueRun(run);
    assert.deepEqual([second.status, activeLabels(second)], ["paused", ["executor:fan_out/notify"]]);
    approveAt(second, "notify");
    const done = await workflow.continueRun(second);
    assert.deepEqual([done.status, done.content], ["completed", "Report: notify finished\n\naudit(in)"]);
    assert.deepEqual(
      done.stepResults[0]?.steps.map((output) => [output.stepName, output.skipped, output.error ?? null]),
      [
        ["approve", true, "over budget"],
        ["notify", false, null],
        ["audit", false, null],
      ],
    );
    assert.deepEqual([counter.of("approve"), counter.of("notify_tool"), counter.of("audit")], [0, 1, 1]);
  });

  it('cancels the siblings still waiting at a gate with onBranchReject: "cancelPending"', async () => {
    const { workflow, counter } = fanOut({ onBranchReject: "cancelPending" });
    const run = await workflow.run("in");
    const notifyPause = activeAt(run, "notify");
    rejectAt(run, "approve", "over budget");
    const done = await workflow.continueRun(run);
    assert.deepEqual([done.status, done.content], ["completed", "Report: audit(in)"]);
    const cancelled =
      "Cancelled: branch 'approve' of Parallel 'fan_out' was rejected (onBranchReject: \"cancelPending\").";
    assert.deepEqual(
      done.stepResults[0]?.steps.map((output) => [
        output.stepName,
        output.skipped,
        output.success,
        output.error ?? null,
      ]),
      [
        ["approve", true, true, "over budget"],
        ["notify", true, false, cancelled],
        ["audit", false, true, null],
      ],
    );
    assert.equal(done.stepResults[0]?.success, false);
    assert.deepEqual([counter.of("approve"), counter.of("notify_tool"), counter.of("audit")], [0, 0, 1]);
    // The cancelled branch's requirement closed undecided; its paused agent run is cancelled too.
    const closed = done.stepRequirements.find((requirement) => requirement.id === notifyPause.id);
    assert.deepEqual([closed?.isFrozen, closed?.isResolved, done.activeStepRequirements.length], [true, false, 0]);
    assert.throws(() => closed?.executorRequirements[0]?.confirm(), { name: "RequirementResolvedError" });
    const stored = await workflow.getRunOutput(done.runId, done.sessionId);
    assert.deepEqual(
      stored.stepExecutorRuns.map((agentRun) => agentRun.status),
      ["cancelled"],
    );
  });

  it("counts a rejected tool call as a rejection, and lets a sibling decided in the same continue go on", async () => {
    const toolRejected = fanOut({ onBranchReject: "cancelPending" });
    const run = await toolRejected.workflow.run("in");
    rejectAt(run, "notify", "not today");
    const done = await toolRejected.workflow.continueRun(run);
    assert.deepEqual([done.status, done.content], ["completed", "Report: notify finished\n\naudit(in)"]);
    assert.deepEqual(
      done.stepResults[0]?.steps.map((output) => [output.stepName, output.skipped]),
      [
        ["approve", true],
        ["notify", false],
        ["audit", false],
      ],
    );
    assert.deepEqual([toolRejected.counter.of("approve"), toolRejected.counter.of("notify_tool")], [0, 0]);

    const decidedTogether = fanOut({ onBranchReject: "cancelPending" });
    const paused = await decidedTogether.workflow.run("in");
    rejectAt(paused, "approve", "over budget");
    approveAt(paused, "notify");
    const both = await decidedTogether.workflow.continueRun(paused);
    assert.deepEqual([both.status, both.content], ["completed", "Report: notify finished\n\naudit(in)"]);
    assert.equal(decidedTogether.counter.of("notify_tool"), 1);
  });

  it("ends the run when a branch's rejection cancels it, closing the other paused branches", async () => {
    const { workflow, counter } = fanOut({
      extra: (counter) => [countedStep("veto", counter, { requiresConfirmation: true, onReject: "cancel" })],
    });
    const run = await workflow.run("in");
    assert.deepEqual(activeLabels(run), [
      "confirmation:fan_out/approve",
      "executor:fan_out/notify",
      "confirmation:fan_out/veto",
    ]);
    rejectAt(run, "veto", "stop everything");
    const done = await workflow.continueRun(run);
    assert.equal(done.status, "cancelled");
    assert.match(done.cancelReason ?? "", /Step 'veto' was rejected \(stop everything\); the run is cancelled/);
    assert.deepEqual(done.activeStepRequirements, []);
    assert.ok(done.stepRequirements.every((requirement) => requirement.isFrozen));
    const stored = await workflow.getRunOutput(done.runId, done.sessionId);
    assert.deepEqual(
      stored.stepExecutorRuns.map((agentRun) => agentRun.status),
      ["cancelled"],
    );
    assert.deepEqual([counter.of("approve"), counter.of("notify_tool"), counter.of("veto")], [0, 0, 0]);
    const pending = await workflow.db.listPendingRequirements({});
    assert.deepEqual(pending, []);
  });

  it("cancelRun() closes every paused branch and its agent run", async () => {
    const { workflow } = fanOut();
    const run = await workflow.run("in");
    const cancelled = await workflow.cancelRun(run.runId, run.sessionId, "Not needed.");
    assert.deepEqual([cancelled.status, cancelled.activeStepRequirements.length], ["cancelled", 0]);
    assert.ok(cancelled.stepRequirements.every((requirement) => requirement.isFrozen));
    const stored = await workflow.getRunOutput(run.runId, run.sessionId);
    assert.deepEqual(
      stored.stepExecutorRuns.map((agentRun) => agentRun.status),
      ["cancelled"],
    );
  });
});
