import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text } from "../testing/index.js";
import { Condition } from "./components/condition.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { Steps } from "./components/steps.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, countedStep, freshDb, gatedAgent, pauseLabel } from "./workflow.test-helper.js";

describe("step user input", () => {
  it("validates every value first and changes nothing when one fails", async () => {
    const received: unknown[] = [];
    const workflow = new Workflow({
      name: "input",
      db: freshDb(),
      steps: [
        new Step({
          name: "book",
          userInputSchema: [
            { name: "destination", type: "string" },
            { name: "nights", type: "integer" },
            { name: "class", type: "string", required: false, allowedValues: ["economy", "business"] },
          ],
          executor: (input) => {
            received.push(input.additionalData["userInput"]);
            return "booked";
          },
        }),
      ],
    });
    const run = await workflow.run("trip");
    const requirement = run.stepsRequiringUserInput[0];
    assert.equal(requirement?.requiresUserInput, true);
    for (const bad of [
      { destination: "Lisbon" },
      { destination: "Lisbon", nights: 2.5 },
      { destination: "Lisbon", nights: 2, class: "first" },
      { destination: "Lisbon", nights: 2, pets: true },
    ]) {
      assert.throws(() => requirement?.setUserInput(bad), { name: "InvalidResolutionError" });
      assert.equal(requirement?.userInput, null);
      assert.equal(requirement?.isResolved, false);
    }
    requirement?.setUserInput({ destination: "Lisbon", nights: 2 });
    const done = await workflow.continueRun(run);
    assert.equal(done.status, "completed");
    assert.deepEqual(received, [{ destination: "Lisbon", nights: 2 }]);
  });

  it("gives an agent step the values as a user-preferences block in its message", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent, model } = gatedAgent("Booker", counter, db, [text("ok")]);
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [new Step({ name: "book", agent, userInputSchema: [{ name: "destination", type: "string" }] })],
    });
    const run = await workflow.run("Book a trip");
    run.stepRequirements[0]?.setUserInput({ destination: "Lisbon" });
    await workflow.continueRun(run);
    assert.deepEqual(model.requests[0]?.messages[0], {
      role: "user",
      content: "Book a trip\n\nUser preferences:\n- destination: Lisbon",
    });
  });
});

describe("errors", () => {
  const failing = (counter: Counter) => () => {
    counter.hit("flaky");
    if (counter.of("flaky") < 2) throw new Error("disk full");
    return "recovered";
  };

  it("stores the run as error by default and rejects with StepFailedError carrying it", async () => {
    const counter = new Counter();
    const db = freshDb();
    const workflow = new Workflow({ name: "w", db, steps: [new Step({ name: "flaky", executor: failing(counter) })] });
    await assert.rejects(
      workflow.run("in", { runId: "run-err", sessionId: "s" }),
      (error: Error & { runOutput?: { status: string } }) => {
        assert.equal(error.name, "StepFailedError");
        assert.match(error.message, /Step 'flaky' failed: disk full/);
        assert.equal(error.runOutput?.status, "error");
        return true;
      },
    );
    const stored = await workflow.getRunOutput("run-err", "s");
    assert.equal(stored.status, "error");
    assert.match(stored.error?.message ?? "", /disk full/);
  });

  it("skips a failed step with onError: skip and records the failure", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        countedStep("a", counter),
        new Step({ name: "flaky", executor: failing(counter), onError: "skip" }),
        countedStep("b", counter),
      ],
    });
    const run = await workflow.run("in");
    assert.equal(run.status, "completed");
    assert.equal(run.content, "b(a(in))");
    assert.equal(run.stepResults[1]?.success, false);
    assert.equal(run.stepResults[1]?.error, "disk full");
  });

  it("pauses with an error requirement on onError: pause; retry() re-runs the step", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [new Step({ name: "flaky", executor: failing(counter), onError: "pause" })],
    });
    const run = await workflow.run("in");
    assert.equal(pauseLabel(run), "error:flaky");
    assert.equal(run.stepsWithErrors[0]?.errorMessage, "disk full");
    assert.equal(run.stepRequirements.length, 1);
    assert.throws(() => run.stepsWithErrors[0]?.confirm(), { name: "InvalidResolutionError" });
    run.stepsWithErrors[0]?.retry();
    const done = await workflow.continueRun(run);
    assert.equal(done.content, "recovered");
    assert.equal(counter.of("flaky"), 2);
  });

  it("moves on past the failed step on skip()", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [new Step({ name: "flaky", executor: failing(counter), onError: "pause" }), countedStep("b", counter)],
    });
    const run = await workflow.run("in");
    run.stepsWithErrors[0]?.skip();
    const done = await workflow.continueRun(run);
    assert.equal(done.content, "b(in)");
    assert.equal(counter.of("flaky"), 1);
  });
});

describe("rejection policy", () => {
  it("cancels the run naming the step on onReject: cancel", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        countedStep("gated", counter, { requiresConfirmation: true, onReject: "cancel" }),
        countedStep("after", counter),
      ],
    });
    const run = await workflow.run("in");
    run.stepRequirements[0]?.reject("no");
    const done = await workflow.continueRun(run);
    assert.equal(done.status, "cancelled");
    assert.equal(done.isCancelled, true);
    assert.match(done.cancelReason ?? "", /Step 'gated' was rejected \(no\)/);
    assert.equal(counter.of("after"), 0);
  });

  it("ignores a policy change sent in requirement JSON", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [countedStep("gated", counter, { requiresConfirmation: true }), countedStep("after", counter)],
    });
    const run = await workflow.run("in");
    const wire = run.stepRequirements.map((requirement) => ({
      ...requirement.toJSON(),
      decision: { type: "reject" as const, feedback: null },
      onReject: "cancel" as const,
    }));
    const done = await workflow.continueRun({ runId: run.runId, sessionId: run.sessionId, stepRequirements: wire });
    assert.equal(done.status, "completed");
    assert.equal(done.content, "after(in)");
    assert.equal(counter.of("gated"), 0);
  });

  it("applies only the active requirement's edit, never an earlier one again", async () => {
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Step({ name: "one", executor: () => "first draft", requiresOutputReview: true }),
        new Step({
          name: "two",
          executor: (input) => `two saw ${input.previousStepContent}`,
          requiresOutputReview: true,
        }),
      ],
    });
    let run = await workflow.run("in");
    run.stepRequirements[0]?.edit("EDITED ONE");
    run = await workflow.continueRun(run);
    assert.equal(run.stepRequirements[1]?.stepOutput?.content, "two saw EDITED ONE");
    run.stepRequirements[1]?.confirm();
    const wire = run.stepRequirements.map((requirement) => requirement.toJSON());
    const done = await workflow.continueRun({ runId: run.runId, sessionId: run.sessionId, stepRequirements: wire });
    assert.equal(done.content, "two saw EDITED ONE");
  });

  it("runs a confirmed Condition's evaluator to choose the branch", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Condition({
          name: "c",
          requiresConfirmation: true,
          evaluator: (input) => input.input === "yes",
          steps: [countedStep("if", counter)],
          elseSteps: [countedStep("else", counter)],
        }),
      ],
    });
    for (const [input, branch] of [
      ["yes", "if"],
      ["no", "else"],
    ] as const) {
      const run = await workflow.run(input);
      approve(run);
      assert.equal((await workflow.continueRun(run)).content, `${branch}(${input})`);
    }
  });
});

describe("construction errors", () => {
  it("names the options a component supports", () => {
    const executor = () => "x";
    const loose = { name: "c", steps: [new Step({ name: "s", executor })], requiresOutputReview: true };
    assert.throws(() => new Condition(loose as ConstructorParameters<typeof Condition>[0]), {
      name: "ConfigurationError",
      message: /Condition 'c' does not support the option 'requiresOutputReview'; supported options: name, evaluator/,
    });
    assert.throws(() => new Step({ name: "s", executor, onReject: "else" as "skip" }), { message: /onReject: 'else'/ });
    assert.throws(() => new Step({ name: "s", executor, onReject: "retry" }), { message: /onReject: 'retry'/ });
    assert.throws(() => new Step({ name: "s" }), { message: /exactly one of agent or executor/ });
    assert.throws(() => new Steps({ name: "s", steps: [] }), { message: /non-empty steps/ });
  });

  it("takes gates inside Parallel branches, refuses an unknown onBranchReject, and joins ungated branches in declaration order", async () => {
    const counter = new Counter();
    const gated = new Parallel({ name: "p", steps: [countedStep("a", counter, { requiresConfirmation: true })] });
    assert.equal(gated.onBranchReject, "continue");
    const { agent } = gatedAgent("Gated", counter, freshDb());
    assert.equal(
      new Parallel({ name: "p", steps: [new Step({ name: "g", agent })], onBranchReject: "cancelPending" })
        .onBranchReject,
      "cancelPending",
    );
    assert.throws(
      () => new Parallel({ name: "p", steps: [new Step({ name: "g", agent })], onBranchReject: "skip" as "continue" }),
      {
        name: "ConfigurationError",
        message: /Parallel 'p' has onBranchReject: 'skip'; use "continue".*"cancelPending"/,
      },
    );
    const slow = new Step({
      name: "slow",
      executor: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return "slow";
      },
    });
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [new Parallel({ name: "p", steps: [slow, countedStep("fast", counter)] })],
    });
    const run = await workflow.run("in");
    assert.equal(run.content, "slow\n\nfast(in)");
  });
});
