import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel } from "kern/testing";
import type { StepRequirement, Workflow, WorkflowRunOutput } from "kern/workflow";
import { attempt, build, QUERY } from "./05_output_review_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

const INPUT = "Summarise Q3 sales by region";
const ANSWER = "Q3 revenue was $1.2M, led by EMEA at $540k.";

/** Checks an executor pause of analyze_data on query_database, approves it, and continues. */
async function approveQuery(workflow: Workflow, run: WorkflowRunOutput): Promise<WorkflowRunOutput> {
  assert.equal(run.pauseKind, "executor");
  assert.equal(run.pausedStepName, "analyze_data");
  const active = run.stepRequirements.at(-1);
  assert.equal(active?.executorName, "DataAnalyst");
  const calls = active?.executorRequirements ?? [];
  assert.deepEqual(
    calls.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
    [["query_database", { sql: QUERY }]],
  );
  calls[0]?.confirm();
  return workflow.continueRun(run);
}

/** Checks the output review pause of analyze_data and returns its requirement. */
function reviewOf(run: WorkflowRunOutput, expected: { content: string; retryCount: number }): StepRequirement {
  assert.equal(run.pauseKind, "step");
  assert.equal(run.pausedStepName, "analyze_data");
  assert.deepEqual(
    run.stepsRequiringOutputReview.map((requirement) => requirement.stepName),
    ["analyze_data"],
  );
  assert.deepEqual(run.stepsRequiringConfirmation, []);
  const review = run.stepRequirements.at(-1);
  assert.ok(review !== undefined);
  assert.equal(review.requiresOutputReview, true);
  assert.equal(review.requiresConfirmation, true);
  assert.equal(review.outputReviewMessage, "Is this analysis ready to save?");
  assert.equal(review.stepOutput?.content, expected.content);
  assert.equal(review.onReject, "retry");
  assert.equal(review.retryCount, expected.retryCount);
  assert.equal(review.maxRetries, 2);
  return review;
}

describe("scenario 5: output review + tool confirmation", () => {
  it("approve: tool pause, then review pause; confirming saves the agent's answer", async () => {
    const { workflow, queries, saved } = build();
    const first = await workflow.run(INPUT);
    const second = await approveQuery(workflow, first);
    assert.equal(first.stepRequirements.length, 1);
    assert.equal(second.stepRequirements.length, 2);
    assert.deepEqual(queries, [QUERY]);
    assert.deepEqual(saved, []);
    reviewOf(second, { content: ANSWER, retryCount: 0 }).confirm();

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(saved, [ANSWER]);
    assert.deepEqual(queries, [QUERY]);
    assert.equal(done.content, `Saved report: ${ANSWER}`);
    assert.deepEqual(
      done.stepResults.map((output) => [output.stepName, output.content]),
      [
        ["analyze_data", ANSWER],
        ["save_report", `Saved report: ${ANSWER}`],
      ],
    );
  });

  it("edit: save_report gets the edited text", async () => {
    const { workflow, queries, saved } = build();
    const second = await approveQuery(workflow, await workflow.run(INPUT));
    reviewOf(second, { content: ANSWER, retryCount: 0 }).edit("EDITED");

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(saved, ["EDITED"]);
    assert.deepEqual(queries, [QUERY]);
    assert.equal(done.content, "Saved report: EDITED");
    assert.equal(done.stepResults[0]?.content, "EDITED");
  });

  it("reject thrice: each retry re-pauses on the tool with the feedback; the third rejection cancels", async () => {
    const drafts = ["Draft 1", "Draft 2", "Draft 3"];
    const { workflow, queries, saved, model } = build({ script: drafts.flatMap((draft) => attempt(draft)) });
    assert.ok(model instanceof FakeModel);
    const pauses: string[] = [];
    let run = await workflow.run(INPUT);
    for (const [retry, draft] of drafts.entries()) {
      pauses.push(`${run.pauseKind}:${run.pausedStepName}`);
      run = await approveQuery(workflow, run);
      assert.equal(queries.length, retry + 1);
      pauses.push(`${run.pauseKind}:${run.pausedStepName}`);
      const told: string =
        model.requests[retry * 2]?.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
      if (retry > 0) {
        assert.match(told, new RegExp(`Reviewer feedback on your previous answer: Add the margins, take ${retry}`));
        assert.ok(told.includes(drafts[retry - 1] ?? "?"), told);
      } else {
        assert.equal(told, INPUT);
      }
      reviewOf(run, { content: draft, retryCount: retry }).reject(`Add the margins, take ${retry + 1}`);
      run = await workflow.continueRun(run);
    }

    assert.deepEqual(pauses, [
      "executor:analyze_data",
      "step:analyze_data",
      "executor:analyze_data",
      "step:analyze_data",
      "executor:analyze_data",
      "step:analyze_data",
    ]);
    assert.equal(run.status, "cancelled");
    assert.equal(run.isPaused, false);
    assert.match(run.cancelReason ?? "", /analyze_data/);
    assert.equal(run.content, null);
    assert.deepEqual(saved, []);
    assert.deepEqual(queries, [QUERY, QUERY, QUERY]);
    assert.equal(
      run.stepResults.some((output) => output.stepName === "save_report"),
      false,
    );
    assert.equal(run.stepRequirements.length, 6);
    assert.equal(model.requests.length, 6);
  });
});
