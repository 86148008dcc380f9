import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Loop } from "./components/loop.js";
import { Router } from "./components/router.js";
import { Step } from "./components/step.js";
import { Steps } from "./components/steps.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb } from "./workflow.test-helper.js";

describe("loops without gates", () => {
  it("feeds each iteration's output forward and stops when the end condition holds", async () => {
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Loop({
          name: "grow",
          maxIterations: 10,
          forwardIterationOutput: true,
          endCondition: (outputs) => (outputs.at(-1)?.content ?? "").length >= 4,
          steps: [new Step({ name: "add", executor: (input) => `${input.previousStepContent ?? ""}x` })],
        }),
      ],
    });
    const run = await workflow.run("");
    assert.equal(run.content, "xxxx");
    assert.equal(run.stepResults[0]?.steps.length, 4);
  });
});

describe("composite rejections and bad selections", () => {
  it("skips a rejected Steps group and moves on with the previous content", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        countedStep("a", counter),
        new Steps({ name: "group", requiresConfirmation: true, steps: [countedStep("b", counter)] }),
        countedStep("c", counter),
      ],
    });
    const run = await workflow.run("in");
    assert.equal(run.stepsRequiringConfirmation[0]?.stepType, "Steps");
    run.stepsRequiringConfirmation[0]?.reject();
    const done = await workflow.continueRun(run);
    assert.equal(done.content, "c(a(in))");
    assert.equal(counter.of("b"), 0);
  });

  it("stores a run as error when a selector names no choice, saying which choices exist", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [new Router({ name: "r", selector: () => "nope", choices: [countedStep("a", counter)] })],
    });
    await assert.rejects(workflow.run("in", { runId: "bad-route", sessionId: "s" }), {
      name: "ConfigurationError",
      message: /selector returned "nope".*choices: a/,
    });
    assert.equal((await workflow.getRunOutput("bad-route", "s")).status, "error");
  });
});

describe("loading runs", () => {
  it("reports unknown runs and runs of another workflow with typed errors", async () => {
    const db = freshDb();
    const counter = new Counter();
    const first = new Workflow({
      name: "first",
      db,
      steps: [countedStep("a", counter, { requiresConfirmation: true })],
    });
    const second = new Workflow({ name: "second", db, steps: [countedStep("a", counter)] });
    const run = await first.run("in");
    await assert.rejects(first.continueRun({ runId: "missing", sessionId: run.sessionId }), {
      name: "RunNotFoundError",
    });
    await assert.rejects(second.getRunOutput(run.runId, run.sessionId), {
      name: "ConfigurationError",
      message: /belongs to workflow 'first'/,
    });
    assert.deepEqual(
      (await first.listRuns({ status: "paused" })).map((summary) => summary.runId),
      [run.runId],
    );
    assert.deepEqual(await second.listRuns(), []);
  });
});
