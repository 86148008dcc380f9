import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidResolutionError, type WorkflowRunOutput } from "kern";
import { FakeModel } from "kern/testing";
import { build } from "./08_multi_step_mixed_hitl.js";

delete process.env["OPENAI_API_KEY"];

const gathered = "Project: Atlas\nScope: Mobile app MVP";
const planned = "Project: Atlas\nPlan: design, build, launch.";
const reviewed = "Final plan for Atlas: design, build, launch. Finalized.";

/** The active pause as [pauseKind, requirement kind, step name]. */
function pauseOf(run: WorkflowRunOutput): [string | null, string | undefined, string | null] {
  return [run.pauseKind, run.stepRequirements.at(-1)?.kind, run.pausedStepName];
}

describe("scenario 8: multi-step mixed HITL", () => {
  it("pauses exactly five times: user input, step confirmation, executor, executor, output review", async () => {
    const { workflow, plans, finalized, models } = build();
    const { planner, reviewer } = models;
    assert.ok(planner instanceof FakeModel && reviewer instanceof FakeModel);

    let run = await workflow.run("Plan a new project.");
    assert.deepEqual(pauseOf(run), ["step", "userInput", "gather_requirements"]);
    const ask = run.stepsRequiringUserInput[0];
    assert.equal(ask?.userInputMessage, "Which project, and what is in scope?");
    assert.deepEqual(
      ask?.userInputSchema?.map((field) => [field.name, field.type]),
      [
        ["project_name", "string"],
        ["scope", "string"],
      ],
    );
    assert.throws(() => ask?.setUserInput({ project_name: "Atlas" }), InvalidResolutionError);
    assert.equal(ask?.isResolved, false, "a failed setUserInput changes nothing");
    ask?.setUserInput({ project_name: "Atlas", scope: "Mobile app MVP" });

    run = await workflow.continueRun(run);
    assert.deepEqual(pauseOf(run), ["step", "confirmation", "generate_plan"]);
    assert.deepEqual(
      run.stepsRequiringConfirmation.map((requirement) => requirement.confirmationMessage),
      ["Generate a plan for this project?"],
    );
    assert.deepEqual(
      run.stepResults.map((output) => [output.stepName, output.content]),
      [["gather_requirements", gathered]],
    );
    assert.equal(planner.requests.length, 0);
    run.stepsRequiringConfirmation[0]?.confirm();

    run = await workflow.continueRun(run);
    assert.deepEqual(pauseOf(run), ["executor", "executor", "generate_plan"]);
    const planCall = run.stepsRequiringExecutorResolution[0];
    assert.equal(planCall?.executorName, "PlannerAgent");
    assert.deepEqual(
      planCall?.executorRequirements.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
      [["create_plan", { project_name: "Atlas", milestones: ["design", "build", "launch"] }]],
    );
    assert.deepEqual(
      planner.requests[0]?.messages,
      [{ role: "user", content: gathered }],
      "the gathered project flows into generate_plan",
    );
    assert.deepEqual(plans, []);
    planCall?.executorRequirements[0]?.confirm();

    run = await workflow.continueRun(run);
    assert.deepEqual(pauseOf(run), ["executor", "executor", "review_plan"]);
    const finalizeCall = run.stepsRequiringExecutorResolution[0];
    assert.equal(finalizeCall?.executorName, "ReviewerAgent");
    assert.deepEqual(
      finalizeCall?.executorRequirements.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
      [["finalize_plan", { project_name: "Atlas" }]],
    );
    assert.deepEqual(plans, ["Atlas"]);
    assert.equal(planner.requests.length, 2);
    assert.deepEqual(reviewer.requests[0]?.messages, [{ role: "user", content: planned }]);
    assert.deepEqual(finalized, []);
    finalizeCall?.executorRequirements[0]?.confirm();

    run = await workflow.continueRun(run);
    assert.deepEqual(pauseOf(run), ["step", "outputReview", "review_plan"]);
    const review = run.stepsRequiringOutputReview[0];
    assert.equal(review?.outputReviewMessage, "Accept the reviewed plan?");
    assert.equal(review?.stepOutput?.content, reviewed);
    assert.equal(review?.requiresConfirmation, true);
    assert.deepEqual(run.stepsRequiringConfirmation, [], "a review is not listed as a confirmation");
    assert.deepEqual(finalized, ["Atlas"]);
    review?.confirm();

    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.equal(run.content, reviewed);
    assert.deepEqual(
      run.stepRequirements.map((requirement) => [requirement.kind, requirement.stepName]),
      [
        ["userInput", "gather_requirements"],
        ["confirmation", "generate_plan"],
        ["executor", "generate_plan"],
        ["executor", "review_plan"],
        ["outputReview", "review_plan"],
      ],
    );
    assert.deepEqual(plans, ["Atlas"]);
    assert.deepEqual(finalized, ["Atlas"]);
    assert.equal(reviewer.requests.length, 2);
    assert.deepEqual(
      run.stepResults.map((output) => output.stepName),
      ["gather_requirements", "generate_plan", "review_plan"],
    );
    assert.deepEqual(
      run.stepExecutorRuns.map((agentRun) => agentRun.agentName),
      ["PlannerAgent", "ReviewerAgent"],
    );
  });

  it("an edit at the final review replaces the workflow's content", async () => {
    const { workflow, plans, finalized } = build();
    let run = await workflow.run("Plan a new project.");
    run.stepsRequiringUserInput[0]?.setUserInput({ project_name: "Borealis", scope: "Data platform" });
    run = await workflow.continueRun(run);
    run.stepsRequiringConfirmation[0]?.confirm();
    for (let pause = 0; pause < 2; pause += 1) {
      run = await workflow.continueRun(run);
      for (const call of run.stepsRequiringExecutorResolution[0]?.executorRequirements ?? []) call.confirm();
    }
    run = await workflow.continueRun(run);
    assert.equal(
      run.stepsRequiringOutputReview[0]?.stepOutput?.content,
      "Final plan for Borealis: design, build, launch. Finalized.",
    );
    run.stepsRequiringOutputReview[0]?.edit("Final plan for Borealis: design, build, pilot, launch.");
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.equal(run.content, "Final plan for Borealis: design, build, pilot, launch.");
    assert.deepEqual([plans, finalized], [["Borealis"], ["Borealis"]]);
  });
});
