import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Condition } from "./components/condition.js";
import { Loop } from "./components/loop.js";
import { Router } from "./components/router.js";
import { Step } from "./components/step.js";
import { Steps } from "./components/steps.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, countedStep, freshDb, gatedAgent, pauseLabel } from "./workflow.test-helper.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

async function approveAll(
  workflow: Workflow,
  first: WorkflowRunOutput,
): Promise<{ run: WorkflowRunOutput; pauses: string[] }> {
  let run = first;
  const pauses: string[] = [];
  while (run.isPaused) {
    pauses.push(pauseLabel(run));
    approve(run);
    run = await workflow.continueRun(run);
  }
  return { run, pauses };
}

describe("gates at any depth, resumed at the exact position", () => {
  it("continues the rest of a Steps after an executor pause, never re-running completed steps", async () => {
    const counter = new Counter();
    const db = freshDb();
    const { agent } = gatedAgent("middle", counter, db);
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [
        countedStep("first", counter),
        new Steps({
          name: "group",
          steps: [countedStep("a", counter), new Step({ name: "agent_step", agent }), countedStep("c", counter)],
        }),
        countedStep("last", counter),
      ],
    });
    const { run, pauses } = await approveAll(workflow, await workflow.run("go"));
    assert.deepEqual(pauses, ["executor:agent_step"]);
    assert.equal(run.status, "completed");
    assert.deepEqual(
      ["first", "a", "c", "last", "middle_tool"].map((name) => counter.of(name)),
      [1, 1, 1, 1, 1],
    );
    assert.equal(run.content, "last(c(middle finished))");
    assert.deepEqual(
      run.stepResults[1]?.steps.map((step) => step.stepName),
      ["a", "agent_step", "c"],
    );
  });

  it("pauses on a gated Step nested three levels deep and resumes inside it", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "deep",
      db: freshDb(),
      steps: [
        new Steps({
          name: "outer",
          steps: [
            new Condition({
              name: "cond",
              steps: [
                new Steps({
                  name: "inner",
                  steps: [
                    countedStep("x", counter),
                    countedStep("gated", counter, { requiresConfirmation: true }),
                    countedStep("y", counter),
                  ],
                }),
              ],
            }),
          ],
        }),
      ],
    });
    const first = await workflow.run("in");
    assert.equal(pauseLabel(first), "confirmation:gated");
    assert.deepEqual(first.stepRequirements[0]?.stepPath, [0, 0, 0, 1]);
    assert.equal(counter.of("x"), 1);
    const { run } = await approveAll(workflow, first);
    assert.equal(run.content, "y(gated(x(in)))");
    assert.deepEqual(
      ["x", "gated", "y"].map((name) => counter.of(name)),
      [1, 1, 1],
    );
  });

  it("runs a Loop's remaining iterations after a pause inside one", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "loop",
      db: freshDb(),
      steps: [
        new Loop({
          name: "l",
          maxIterations: 3,
          steps: [countedStep("before", counter), countedStep("check", counter, { requiresConfirmation: true })],
        }),
      ],
    });
    const { run, pauses } = await approveAll(workflow, await workflow.run("in"));
    assert.deepEqual(pauses, ["confirmation:check", "confirmation:check", "confirmation:check"]);
    assert.equal(counter.of("before"), 3);
    assert.equal(counter.of("check"), 3);
    assert.equal(run.stepResults[0]?.steps.length, 3);
  });

  it("names the agent that actually ran in a Condition's else branch and continues it", async () => {
    const counter = new Counter();
    const db = freshDb();
    const prod = gatedAgent("ProdDeployer", counter, db);
    const staging = gatedAgent("StagingDeployer", counter, db);
    let evaluated = 0;
    const workflow = new Workflow({
      name: "deploy",
      db,
      steps: [
        new Condition({
          name: "gate",
          requiresConfirmation: true,
          evaluator: () => {
            evaluated += 1;
            return true;
          },
          steps: [new Step({ name: "deploy_prod", agent: prod.agent })],
          elseSteps: [new Step({ name: "deploy_staging", agent: staging.agent })],
        }),
      ],
    });
    const first = await workflow.run("deploy");
    first.stepRequirements[0]?.reject();
    const second = await workflow.continueRun(first);
    assert.equal(evaluated, 0);
    assert.equal(second.stepRequirements[1]?.executorName, "StagingDeployer");
    assert.equal(second.stepRequirements[1]?.stepName, "deploy_staging");
    approve(second);
    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("StagingDeployer_tool"), 1);
    assert.equal(counter.of("ProdDeployer_tool"), 0);
    assert.equal(prod.model.requests.length, 0);
  });

  it("runs several human-selected routes in the given order, each fed the previous output", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "routes",
      db: freshDb(),
      steps: [
        new Router({
          name: "r",
          requiresUserInput: true,
          allowMultipleSelections: true,
          choices: [countedStep("a", counter), countedStep("b", counter), countedStep("c", counter)],
        }),
      ],
    });
    const first = await workflow.run("in");
    assert.deepEqual(first.stepsRequiringRoute[0]?.availableChoices, ["a", "b", "c"]);
    first.stepsRequiringRoute[0]?.select("c", "a");
    const done = await workflow.continueRun(first);
    assert.equal(done.content, "a(c(in))");
    assert.equal(counter.of("b"), 0);
  });

  it("applies a Router review edit to the content that flows on", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "router-edit",
      db: freshDb(),
      steps: [
        new Router({
          name: "r",
          selector: () => "a",
          requiresOutputReview: true,
          choices: [countedStep("a", counter)],
        }),
        countedStep("after", counter),
      ],
    });
    const first = await workflow.run("in");
    assert.equal(pauseLabel(first), "outputReview:r");
    assert.equal(first.stepsRequiringOutputReview[0]?.stepOutput?.content, "a(in)");
    assert.equal(first.stepsRequiringConfirmation.length, 0);
    first.stepsRequiringOutputReview[0]?.edit("EDITED");
    const done = await workflow.continueRun(first);
    assert.equal(done.content, "after(EDITED)");
  });

  it("asks for the route again when a human-routed Router's output is rejected with retry, then cancels past the cap", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "router-retry",
      db: freshDb(),
      steps: [
        new Router({
          name: "r",
          requiresUserInput: true,
          requiresOutputReview: true,
          onReject: "retry",
          hitlMaxRetries: 1,
          choices: [countedStep("a", counter), countedStep("b", counter)],
        }),
      ],
    });
    let run = await workflow.run("in");
    run.stepRequirements.at(-1)?.select("a");
    run = await workflow.continueRun(run);
    run.stepRequirements.at(-1)?.reject("try b");
    run = await workflow.continueRun(run);
    assert.equal(pauseLabel(run), "route:r");
    run.stepRequirements.at(-1)?.select("b");
    run = await workflow.continueRun(run);
    assert.equal(run.stepRequirements.at(-1)?.stepOutput?.content, "b(in)");
    run.stepRequirements.at(-1)?.reject("still no");
    run = await workflow.continueRun(run);
    assert.equal(run.status, "cancelled");
    assert.match(run.cancelReason ?? "", /Router 'r' was rejected after 1 retry/);
  });
});

describe("loop gates", () => {
  it("ends the loop when an iteration review is confirmed, and retries with feedback on reject", async () => {
    const seen: unknown[] = [];
    const workflow = new Workflow({
      name: "review-loop",
      db: freshDb(),
      steps: [
        new Loop({
          name: "drafts",
          maxIterations: 5,
          requiresIterationReview: true,
          onReject: "retry",
          steps: [
            new Step({
              name: "draft",
              executor: (input) => {
                seen.push(input.additionalData["feedback"]);
                return `draft ${seen.length}`;
              },
            }),
          ],
        }),
      ],
    });
    let run = await workflow.run("topic");
    assert.equal(pauseLabel(run), "iterationReview:drafts");
    assert.equal(run.stepRequirements.at(-1)?.requiresConfirmation, true);
    run.stepRequirements.at(-1)?.reject("shorter");
    run = await workflow.continueRun(run);
    run.stepRequirements.at(-1)?.confirm();
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(seen, [undefined, "shorter"]);
    assert.equal(run.content, "draft 2");
    assert.equal(run.stepResults[0]?.steps.length, 2);
  });
});
