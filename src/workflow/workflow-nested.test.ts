import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { CrashingDb, LATER } from "./crashing-db.test-helper.js";
import type { StepOutput } from "./step-output.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep } from "./workflow.test-helper.js";

/** Inner: `first` (counted), `check` (gated), `last` (counted). Outer: `prepare`, `inner` (runs Inner), `finish`. */
function twoLevels(db: InMemoryDb, counter: Counter, check: Partial<ConstructorParameters<typeof Step>[0]> = {}) {
  const inner = new Workflow({
    name: "Inner",
    steps: [
      countedStep("first", counter),
      countedStep("check", counter, { requiresConfirmation: true, ...check }),
      countedStep("last", counter),
    ],
  });
  const outer = new Workflow({
    name: "Outer",
    db,
    steps: [
      countedStep("prepare", counter),
      new Step({ name: "inner", executor: inner }),
      countedStep("finish", counter),
    ],
  });
  return { inner, outer };
}

function names(outputs: readonly StepOutput[]): string[] {
  return outputs.flatMap((output) => [
    output.stepName,
    ...names(output.steps).map((name) => `${output.stepName}/${name}`),
  ]);
}

describe("a workflow as a step's executor", () => {
  it("runs inside the outer run: its gate pauses the outer run with a path through the step, and resumes in place", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { outer } = twoLevels(db, counter);
    const paused = await outer.run("go");
    const [pause] = paused.activeStepRequirements;
    assert.deepEqual(
      [pause?.kind, pause?.path, pause?.stepPath, pause?.stepIndex, pause?.stepName],
      ["confirmation", ["inner", "Inner", "check"], [1, 0, 1], 1, "check"],
    );
    assert.equal((await db.listRuns({})).length, 1, "one stored run: the inner workflow has none of its own");
    pause?.confirm();
    const done = await outer.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "finish(last(check(first(prepare(go)))))");
    assert.deepEqual(
      ["prepare", "first", "check", "last", "finish"].map((name) => counter.of(name)),
      [1, 1, 1, 1, 1],
      "nothing ran twice",
    );
    assert.deepEqual(names(done.stepResults), [
      "prepare",
      "inner",
      "inner/Inner",
      "inner/Inner/first",
      "inner/Inner/check",
      "inner/Inner/last",
      "finish",
    ]);
  });

  it("nests at any depth and inside Parallel branches, each pause naming its whole path", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { outer: middle } = twoLevels(new InMemoryDb(), counter);
    const top = new Workflow({
      name: "Top",
      db,
      steps: [
        new Parallel({
          name: "both",
          steps: [new Step({ name: "deep", executor: middle }), countedStep("side", counter)],
        }),
      ],
    });
    const paused = await top.run("go");
    assert.deepEqual(
      paused.activeStepRequirements.map((requirement) => requirement.path),
      [["both", "deep", "Outer", "inner", "Inner", "check"]],
    );
    assert.equal(counter.of("side"), 1);
    paused.activeStepRequirements[0]?.confirm();
    const done = await top.continueRun(paused);
    assert.equal(done.content, "finish(last(check(first(prepare(go)))))\n\nside(go)");
    assert.equal(counter.of("first"), 1);
  });

  it("recover() after a crash inside the inner workflow asks only about the inner step that may have run", async () => {
    const db = new CrashingDb();
    const counter = new Counter();
    const { outer } = twoLevels(db, counter);
    const paused = await outer.run("go");
    paused.activeStepRequirements[0]?.confirm();
    // Dies storing the checkpoint after `check` ran: its result is lost, `last` has not started.
    db.crashOn = (record) =>
      record.status === "running" && record.state.includes('"content":"check(first(prepare(go)))"');
    await assert.rejects(outer.continueRun(paused), /process died/);
    assert.equal(counter.of("check"), 1);
    const { workflowRuns } = await outer.recover({ now: LATER });
    assert.deepEqual(
      workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
      [[["check"], true]],
    );
    const run = await outer.getRunOutput(paused.runId, paused.sessionId);
    const [question] = run.activeStepRequirements;
    assert.deepEqual(
      [question?.kind, question?.path, question?.isRecovered],
      ["error", ["inner", "Inner", "check"], true],
    );
    question?.skip();
    const done = await outer.continueRun(run);
    assert.equal(done.status, "completed");
    assert.deepEqual(
      ["prepare", "first", "check", "last", "finish"].map((name) => counter.of(name)),
      [1, 1, 1, 1, 1],
    );
  });

  it("a rejection whose onReject is cancel cancels the whole run, naming the inner step", async () => {
    const counter = new Counter();
    const { outer } = twoLevels(new InMemoryDb(), counter, { onReject: "cancel" });
    const paused = await outer.run("go");
    paused.activeStepRequirements[0]?.reject("no");
    const done = await outer.continueRun(paused);
    assert.equal(done.status, "cancelled");
    assert.match(done.toJSON().cancelReason ?? "", /'check'/);
    assert.equal(counter.of("finish"), 0);
  });

  it("the outer step's own gates stand around the inner workflow: its review sees the inner workflow's output", async () => {
    const counter = new Counter();
    const inner = new Workflow({ name: "Inner", steps: [countedStep("first", counter)] });
    const outer = new Workflow({
      name: "Outer",
      db: new InMemoryDb(),
      steps: [
        new Step({ name: "inner", executor: inner, requiresConfirmation: true, requiresOutputReview: true }),
        countedStep("finish", counter),
      ],
    });
    let run = await outer.run("go");
    assert.equal(run.activeStepRequirements[0]?.kind, "confirmation");
    assert.equal(counter.of("first"), 0);
    run.activeStepRequirements[0]?.confirm();
    run = await outer.continueRun(run);
    const [review] = run.activeStepRequirements;
    assert.deepEqual([review?.kind, review?.stepOutput?.content], ["outputReview", "first(go)"]);
    review?.edit("edited");
    run = await outer.continueRun(run);
    assert.deepEqual([run.status, run.content], ["completed", "finish(edited)"]);
  });

  it("is part of the outer workflow's definition: changing the inner workflow refuses to continue a paused run", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { outer } = twoLevels(db, counter);
    const paused = await outer.run("go");
    const { outer: changed } = twoLevels(db, counter, { requiresConfirmation: false, requiresUserInput: true });
    assert.notEqual(changed.fingerprint, outer.fingerprint);
    paused.activeStepRequirements[0]?.confirm();
    await assert.rejects(changed.continueRun(paused), { name: "DefinitionChangedError" });
  });

  it("retryRun() after an inner step failed resumes inside the inner workflow: steps that finished stay done", async () => {
    const counter = new Counter();
    let failures = 1;
    const inner = new Workflow({
      name: "Inner",
      steps: [
        countedStep("first", counter),
        new Step({
          name: "flaky",
          executor: (input) => {
            counter.hit("flaky");
            if (failures-- > 0) throw new Error("upstream timed out");
            return `flaky(${input.previousStepContent ?? ""})`;
          },
        }),
      ],
    });
    const outer = new Workflow({
      name: "Outer",
      db: new InMemoryDb(),
      steps: [new Step({ name: "inner", executor: inner }), countedStep("finish", counter)],
    });
    await assert.rejects(outer.run("go"), { name: "StepFailedError" });
    const [failed] = await outer.listRuns({ status: "error" });
    const done = await outer.retryRun({ runId: failed?.runId ?? "", sessionId: failed?.sessionId ?? "" });
    assert.deepEqual([done.status, done.content], ["completed", "finish(flaky(first(go)))"]);
    assert.deepEqual(
      ["first", "flaky", "finish"].map((name) => counter.of(name)),
      [1, 2, 1],
    );
  });

  it("refuses options an inner workflow's own steps take, at construction", () => {
    const inner = new Workflow({ name: "Inner", steps: [countedStep("first", new Counter())] });
    assert.throws(() => new Step({ name: "s", executor: inner, onError: "pause" }), {
      name: "ConfigurationError",
      message: /runs a workflow, which does not take onError/,
    });
    assert.throws(() => new Step({ name: "s", executor: inner, idempotent: true }), { name: "ConfigurationError" });
  });
});
