import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCall } from "../testing/index.js";
import { Step } from "./components/step.js";
import { CrashingDb, LATER, saveOf, toolResultCheckpoint } from "./crashing-db.test-helper.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, countedStep, gatedAgent } from "./workflow.test-helper.js";

function seed(
  db: CrashingDb,
  counter: Counter,
  script = [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("sent")],
) {
  const { agent, model } = gatedAgent("AlertAgent", counter, db, script);
  const workflow = new Workflow({
    name: "seed",
    db,
    steps: [
      new Step({ name: "send_alert", agent }),
      new Step({ name: "log", executor: (input) => `Logged: ${input.previousStepContent ?? ""}` }),
    ],
  });
  return { agent, model, workflow };
}

/** A workflow with one confirmed function step, paused at its gate and approved. */
async function gatedFunctionStep(db: CrashingDb, counter: Counter) {
  const workflow = new Workflow({
    name: "w",
    db,
    steps: [countedStep("charge", counter, { requiresConfirmation: true })],
  });
  const paused = await workflow.run("in");
  approve(paused);
  return { workflow, paused };
}

describe("workflow.recover() after a process died inside continueRun", () => {
  it("re-opens the executor pause with the agent's call that ran but has no stored result", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { workflow } = seed(db, counter, [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("not sent")]);
    const paused = await workflow.run("alert");
    approve(paused);
    db.crashOn = toolResultCheckpoint;
    await assert.rejects(workflow.continueRun(paused), /process died/);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.runId, run.needsDecision]),
      [[paused.runId, true]],
    );
    assert.deepEqual(
      report.agentRuns.map((run) => run.uncertainToolCalls.length),
      [1],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.pauseKind, "executor");
    assert.equal(run.stepRequirements.length, 2);
    const calls = run.stepRequirements[1]?.executorRequirements ?? [];
    assert.deepEqual(
      calls.map((call) => call.isRecovered),
      [true],
    );
    calls[0]?.reject();
    const done = await workflow.continueRun(run);
    assert.equal(done.content, "Logged: not sent");
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });

  it("resumes a run whose agent finished but whose end was never stored, asking nobody and running no tool again", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { agent, model } = gatedAgent("AlertAgent", counter, db, [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      text("lost"),
      text("sent"),
    ]);
    const workflow = new Workflow({ name: "alerts", db, steps: [new Step({ name: "send_alert", agent })] });
    const paused = await workflow.run("alert");
    approve(paused);
    db.crashOn = saveOf("workflow", "completed");
    await assert.rejects(workflow.continueRun(paused));
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => run.needsDecision),
      [false],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.status, "paused");
    assert.equal(run.activeStepRequirements.length, 0, "the decision stands; nothing new to ask");
    const done = await workflow.continueRun({ runId: run.runId, sessionId: run.sessionId });
    assert.equal(done.content, "sent");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal(
      model.requests.length,
      3,
      "the lost answer is asked for again; the stored tool result is sent with it",
    );
    assert.deepEqual(
      model.requests[2]?.messages.filter((message) => message.role === "tool").map((message) => message.content),
      ["AlertAgent_tool done for Tokyo"],
    );
  });

  it("asks whether to run again a function step that started and has no stored result", async () => {
    for (const decision of ["skip", "retry"] as const) {
      const counter = new Counter();
      const db = new CrashingDb();
      const { workflow, paused } = await gatedFunctionStep(db, counter);
      db.crashOn = saveOf("workflow", "completed");
      await assert.rejects(workflow.continueRun(paused));
      assert.equal(counter.of("charge"), 1);
      const report = await workflow.recover({ now: LATER });
      assert.deepEqual(
        report.workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
        [[["charge"], true]],
      );
      const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
      const [question] = run.stepsWithErrors;
      assert.equal(question?.isRecovered, true);
      assert.match(question?.errorMessage ?? "", /may or may not have run/);
      if (decision === "skip") question?.skip();
      else question?.retry();
      const done = await workflow.continueRun(run);
      assert.equal(done.status, "completed");
      assert.equal(
        counter.of("charge"),
        decision === "skip" ? 1 : 2,
        `${decision}: the step ran again only when a person said so`,
      );
    }
  });

  it("keeps a decision whose claim was stored: a crash before the step started resumes it without asking again", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { workflow, paused } = await gatedFunctionStep(db, counter);
    db.crashOn = (record) =>
      record.kind === "workflow" && record.status === "running" && /"phase":"execute"/.test(record.state);
    await assert.rejects(workflow.continueRun(paused));
    assert.equal(counter.of("charge"), 0);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
      [[[], false]],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.stepRequirements.length, 1, "no new question");
    const done = await workflow.continueRun(run);
    assert.equal(done.content, "charge(in)");
    assert.equal(counter.of("charge"), 1);
  });

  it("keeps a run whose first leg died before its first step: stored before it acted, resumed from the start", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [countedStep("prepare", counter), countedStep("charge", counter, { requiresConfirmation: true })],
    });
    db.crashOn = saveOf("workflow", "running");
    await assert.rejects(workflow.run("in", { runId: "first-leg", sessionId: "s" }), /process died/);
    assert.equal((await db.getRun("workflow", "first-leg"))?.status, "running", "stored before its first step");
    assert.equal(counter.of("prepare"), 0);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.runId, run.needsDecision]),
      [["first-leg", false]],
    );
    const resumed = await workflow.continueRun({ runId: "first-leg", sessionId: "s" });
    assert.equal(resumed.stepsRequiringConfirmation[0]?.stepName, "charge");
    assert.equal(counter.of("prepare"), 1);
    approve(resumed);
    assert.equal((await workflow.continueRun(resumed)).content, "charge(prepare(in))");
  });

  it("asks about a first-leg step that ran when the write storing its result died", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [countedStep("prepare", counter), countedStep("charge", counter, { requiresConfirmation: true })],
    });
    // prepare's output would be stored with the pause at charge's gate: that write dies.
    db.crashOn = saveOf("workflow", "paused");
    await assert.rejects(workflow.run("in", { runId: "first-leg", sessionId: "s" }), /process died/);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => run.uncertainSteps),
      [["prepare"]],
    );
    const run = await workflow.getRunOutput("first-leg", "s");
    run.stepsWithErrors[0]?.skip();
    const next = await workflow.continueRun(run);
    assert.equal(next.stepsRequiringConfirmation[0]?.stepName, "charge");
    assert.equal(counter.of("prepare"), 1);
  });
});

describe("an idempotent function step after a crash", () => {
  it("runs again on resume instead of asking a person", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [
        countedStep("summarize", counter, { idempotent: true }),
        countedStep("charge", counter, { requiresConfirmation: true }),
      ],
    });
    db.crashOn = saveOf("workflow", "paused");
    await assert.rejects(workflow.run("in", { runId: "r", sessionId: "s" }), /process died/);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
      [[[], false]],
    );
    const resumed = await workflow.continueRun({ runId: "r", sessionId: "s" });
    assert.equal(resumed.stepsRequiringConfirmation[0]?.stepName, "charge");
    assert.equal(counter.of("summarize"), 2, "declared safe to repeat, it ran again");
  });

  it("is refused on an agent step", () => {
    const { agent } = gatedAgent("AlertAgent", new Counter(), new CrashingDb());
    assert.throws(() => new Step({ name: "s", agent, idempotent: true }), {
      name: "ConfigurationError",
      message: /only a function step/,
    });
  });
});
