import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCalls } from "../testing/index.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { Steps } from "./components/steps.js";
import { activeAt, activeLabels, approveAt, fanOut } from "./parallel.test-helper.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb, gatedAgent } from "./workflow.test-helper.js";

const JOINED = "Report: approve(in)\n\nnotify finished\n\naudit(in)";

describe("gates inside Parallel branches", () => {
  it("pauses once per gated branch, each requirement with its path; the ungated branch runs to its end", async () => {
    const { workflow, counter } = fanOut();
    const run = await workflow.run("in");
    assert.equal(run.status, "paused");
    assert.deepEqual(activeLabels(run), ["confirmation:fan_out/approve", "executor:fan_out/notify"]);
    assert.deepEqual(
      run.stepRequirements.map((requirement) => [requirement.stepName, requirement.stepPath, requirement.isFrozen]),
      [
        ["approve", [0, 0], false],
        ["notify", [0, 1], false],
      ],
    );
    assert.equal(run.stepsRequiringConfirmation[0]?.confirmationMessage, "Approve the budget?");
    assert.deepEqual(
      run.stepsRequiringExecutorResolution[0]?.executorRequirements.map((call) => call.toolExecution.toolName),
      ["notify_tool"],
    );
    assert.deepEqual([run.pauseKind, run.pausedStepName, run.pausedStepIndex], ["executor", "notify", 0]);
    assert.deepEqual(
      [counter.of("audit"), counter.of("approve"), counter.of("notify_tool")],
      [1, 0, 0],
      "the ungated branch ran; the gated ones wait",
    );
    assert.equal(run.toJSON().schemaVersion, 7);
  });

  it("runs on only the branches a continue decided, leaves the others paused, and never re-runs a finished branch", async () => {
    const { workflow, counter } = fanOut();
    const first = await workflow.run("in");
    approveAt(first, "notify");
    const second = await workflow.continueRun(first);
    assert.equal(second.status, "paused");
    assert.deepEqual(activeLabels(second), ["confirmation:fan_out/approve"]);
    assert.deepEqual([second.pauseKind, second.pausedStepName], ["step", "approve"]);
    assert.deepEqual([counter.of("notify_tool"), counter.of("audit"), counter.of("approve")], [1, 1, 0]);
    // The one left open is the same requirement, not a new pause.
    assert.equal(second.stepRequirements.length, 2);
    assert.equal(activeAt(second, "approve").id, first.stepRequirements[0]?.id);

    approveAt(second, "approve");
    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.equal(done.content, JOINED);
    assert.deepEqual(
      [counter.of("notify_tool"), counter.of("audit"), counter.of("approve")],
      [1, 1, 1],
      "every branch ran exactly once over three drives",
    );
    assert.deepEqual(
      done.stepResults[0]?.steps.map((output) => output.stepName),
      ["approve", "notify", "audit"],
    );
  });

  it("takes the decisions in the other order, and several at once, with the same result", async () => {
    const inOrder = fanOut();
    const first = await inOrder.workflow.run("in");
    approveAt(first, "approve");
    const second = await inOrder.workflow.continueRun(first);
    assert.deepEqual(activeLabels(second), ["executor:fan_out/notify"]);
    assert.deepEqual([inOrder.counter.of("approve"), inOrder.counter.of("notify_tool")], [1, 0]);
    approveAt(second, "notify");
    assert.equal((await inOrder.workflow.continueRun(second)).content, JOINED);

    const together = fanOut();
    const paused = await together.workflow.run("in");
    approveAt(paused, "approve");
    approveAt(paused, "notify");
    const done = await together.workflow.continueRun(paused);
    assert.deepEqual([done.status, done.content], ["completed", JOINED]);
    assert.deepEqual([together.counter.of("approve"), together.counter.of("notify_tool")], [1, 1]);
  });

  it("takes decisions as data for one branch at a time, each by requirement id", async () => {
    const { workflow, counter } = fanOut();
    const run = await workflow.run("in");
    const ref = { runId: run.runId, sessionId: run.sessionId };
    const call = activeAt(run, "notify").executorRequirements[0];
    assert.ok(call !== undefined);
    const second = await workflow.continueRun({
      ...ref,
      decisions: [{ requirementId: call.id, decision: { type: "confirm" } }],
    });
    assert.deepEqual(activeLabels(second), ["confirmation:fan_out/approve"]);
    const gate = activeAt(second, "approve");
    const done = await workflow.continueRun({
      ...ref,
      decisions: [{ requirementId: gate.id, decision: { type: "confirm" } }],
    });
    assert.equal(done.content, JOINED);
    assert.equal(counter.of("notify_tool"), 1);
  });

  it("refuses a continue that decides nothing, or only part of an executor pause, changing nothing", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent } = gatedAgent("pair", counter, db, [
      toolCalls([
        { name: "pair_tool", args: { target: "a" } },
        { name: "pair_tool", args: { target: "b" } },
      ]),
      text("pair finished"),
    ]);
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [
        new Parallel({
          name: "p",
          steps: [new Step({ name: "pair", agent }), countedStep("gate", counter, { requiresConfirmation: true })],
        }),
      ],
    });
    const run = await workflow.run("in");
    await assert.rejects(workflow.continueRun(run), (error: Error & { missing?: unknown[] }) => {
      assert.equal(error.name, "UnresolvedRequirementError");
      assert.equal(error.missing?.length, 3, "it names both tool calls and the gate");
      return true;
    });
    activeAt(run, "pair").executorRequirements[0]?.confirm();
    await assert.rejects(workflow.continueRun(run), { name: "UnresolvedRequirementError" });
    const stored = await workflow.getRunOutput(run.runId, run.sessionId);
    assert.deepEqual(
      [stored.status, activeLabels(stored), counter.of("pair_tool")],
      ["paused", ["executor:p/pair", "confirmation:p/gate"], 0],
    );
  });

  it("pauses inside a Parallel inside a branch, with the whole path, and goes on from there", async () => {
    const counter = new Counter();
    const inner = new Parallel({
      name: "inner",
      steps: [countedStep("deep", counter, { requiresConfirmation: true }), countedStep("quick", counter)],
    });
    const workflow = new Workflow({
      name: "nested",
      db: freshDb(),
      steps: [
        new Parallel({
          name: "outer",
          steps: [
            new Steps({ name: "seq", steps: [countedStep("first", counter), inner] }),
            countedStep("side", counter, { requiresConfirmation: true }),
          ],
        }),
      ],
    });
    const run = await workflow.run("in");
    assert.deepEqual(activeLabels(run), ["confirmation:outer/seq/inner/deep", "confirmation:outer/side"]);
    assert.deepEqual(activeAt(run, "deep").stepPath, [0, 0, 1, 0]);
    approveAt(run, "deep");
    const second = await workflow.continueRun(run);
    assert.deepEqual(activeLabels(second), ["confirmation:outer/side"]);
    approveAt(second, "side");
    const done = await workflow.continueRun(second);
    assert.equal(done.content, "deep(first(in))\n\nquick(first(in))\n\nside(in)");
    assert.deepEqual(
      ["first", "deep", "quick", "side"].map((name) => counter.of(name)),
      [1, 1, 1, 1],
    );
  });

  it("lists the requirements of branches that paused together in declaration order, whichever paused first", async () => {
    const counter = new Counter();
    const slow = new Step({
      name: "slow",
      executor: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return "slow";
      },
    });
    const workflow = new Workflow({
      name: "order",
      db: freshDb(),
      steps: [
        new Parallel({
          name: "p",
          steps: [
            new Steps({
              name: "late",
              steps: [slow, countedStep("late_gate", counter, { requiresConfirmation: true })],
            }),
            countedStep("early_gate", counter, { requiresConfirmation: true }),
          ],
        }),
      ],
    });
    const run = await workflow.run("in");
    assert.deepEqual(activeLabels(run), ["confirmation:p/late/late_gate", "confirmation:p/early_gate"]);
    assert.deepEqual(
      run.stepRequirements.map((requirement) => requirement.stepName),
      ["late_gate", "early_gate"],
    );
  });

  it("keeps the seed's last-entry loop working without a Parallel, and a loop over activeStepRequirements with one", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent } = gatedAgent("seed", counter, db);
    const linear = new Workflow({
      name: "linear",
      db,
      steps: [new Step({ name: "s", agent, requiresConfirmation: true })],
    });
    let run = await linear.run("in");
    const pauses: string[] = [];
    while (run.isPaused) {
      const active = run.stepRequirements.slice(-1);
      pauses.push(`${run.pauseKind}:${active.length}:${run.activeStepRequirements.length}`);
      for (const requirement of active)
        if (requirement.requiresExecutorInput) for (const call of requirement.executorRequirements) call.confirm();
        else requirement.confirm();
      run = await linear.continueRun(run);
    }
    assert.deepEqual(pauses, ["step:1:1", "executor:1:1"]);
    assert.equal(counter.of("seed_tool"), 1);

    const { workflow, counter: fanCounter } = fanOut();
    let fan = await workflow.run("in");
    const seen: string[][] = [];
    while (fan.isPaused) {
      seen.push(activeLabels(fan));
      // One branch per continue, as one person at a time would.
      const next = fan.activeStepRequirements[0];
      if (next?.requiresExecutorInput) for (const call of next.executorRequirements) call.confirm();
      else next?.confirm();
      fan = await workflow.continueRun(fan);
    }
    assert.deepEqual(seen, [["confirmation:fan_out/approve", "executor:fan_out/notify"], ["executor:fan_out/notify"]]);
    assert.equal(fan.content, JOINED);
    assert.equal(fanCounter.of("notify_tool"), 1);
  });
});
