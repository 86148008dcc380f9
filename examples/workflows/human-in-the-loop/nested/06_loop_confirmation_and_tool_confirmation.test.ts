import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel } from "kern/testing";
import { build } from "./06_loop_confirmation_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

const input = "Publish the draft 'Spring launch'.";

describe("scenario 6: loop confirmation + tool confirmation", () => {
  it("confirms the loop once, then pauses on the tool once per iteration; the tool runs 3 times", async () => {
    const { workflow, published, model } = build();
    let run = await workflow.run(input);
    assert.equal(run.status, "paused");
    assert.equal(run.pauseKind, "step");
    assert.equal(run.pausedStepName, "publish_loop");
    const loopGate = run.stepsRequiringConfirmation;
    assert.deepEqual(
      loopGate.map((requirement) => [requirement.stepName, requirement.stepType]),
      [["publish_loop", "Loop"]],
    );
    assert.equal(loopGate[0]?.confirmationMessage, "Start the publishing loop (3 rounds)?");
    assert.deepEqual(loopGate[0]?.stepPath, [0]);
    assert.ok(model instanceof FakeModel);
    assert.equal(model.requests.length, 0);
    loopGate[0]?.confirm();

    for (let round = 1; round <= 3; round += 1) {
      run = await workflow.continueRun(run);
      assert.equal(run.pauseKind, "executor", `round ${round}`);
      assert.equal(run.stepRequirements.length, 1 + round);
      assert.ok(
        run.stepRequirements.slice(0, -1).every((requirement) => requirement.isResolved && requirement.isFrozen),
      );
      const active = run.stepsRequiringExecutorResolution;
      assert.equal(active.length, 1);
      assert.equal(active[0]?.stepName, "publish");
      assert.deepEqual(active[0]?.stepPath, [0, 0]);
      assert.equal(active[0]?.executorName, "PublisherAgent");
      const calls = active[0]?.executorRequirements ?? [];
      assert.deepEqual(
        calls.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
        [["publish_draft", { title: "Spring launch", channel: `channel-${round}` }]],
      );
      assert.equal(published.length, round - 1, "the tool waits for approval");
      calls[0]?.confirm();
    }
    run = await workflow.continueRun(run);

    assert.equal(run.status, "completed");
    assert.deepEqual(published, ["channel-1", "channel-2", "channel-3"]);
    assert.equal(run.content, "Published 'Spring launch' to channel-3.");
    assert.equal(run.stepRequirements.length, 4);
    const loopOutput = run.stepResults[0];
    assert.equal(loopOutput?.stepName, "publish_loop");
    assert.equal(loopOutput?.stepType, "Loop");
    assert.equal(loopOutput?.steps.length, 3);
    assert.deepEqual(
      loopOutput?.steps.map((iteration) => iteration.content),
      [1, 2, 3].map((round) => `Published 'Spring launch' to channel-${round}.`),
    );
    // Each iteration is a fresh agent run told the workflow input.
    assert.equal(run.stepExecutorRuns.length, 3);
    assert.equal(model.requests.length, 6);
    const told = model.requests.filter((_, index) => index % 2 === 0).map((request) => request.messages.at(-1));
    assert.deepEqual(
      told,
      [1, 2, 3].map(() => ({ role: "user", content: input })),
    );
  });

  it("a rejected publication never runs, and the scripted agent says so instead of claiming it", async () => {
    const { workflow, published } = build();
    let run = await workflow.run(input);
    run.stepsRequiringConfirmation[0]?.confirm();
    for (let round = 1; round <= 3; round += 1) {
      run = await workflow.continueRun(run);
      assert.equal(run.pauseKind, "executor", `round ${round} asks again`);
      run.stepsRequiringExecutorResolution[0]?.executorRequirements[0]?.reject("Not on this channel");
    }
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(published, []);
    assert.deepEqual(
      run.stepResults[0]?.steps.map((iteration) => iteration.content),
      [1, 2, 3].map((round) => `I did not publish 'Spring launch' to channel-${round}: publishing was rejected.`),
    );
  });

  it("on a rejected loop confirmation skips the loop without calling the agent", async () => {
    const { workflow, published, model } = build({ script: [] });
    const first = await workflow.run(input);
    assert.equal(first.stepsRequiringConfirmation[0]?.stepName, "publish_loop");
    first.stepsRequiringConfirmation[0]?.reject("Not this week");
    const done = await workflow.continueRun(first);
    assert.equal(done.status, "completed");
    assert.equal(done.content, null, "a skipped loop produces no content");
    assert.equal(done.stepRequirements.length, 1);
    assert.equal(done.stepRequirements[0]?.confirmed, false);
    assert.equal(done.stepRequirements[0]?.rejectionFeedback, "Not this week");
    assert.deepEqual(published, []);
    assert.ok(model instanceof FakeModel);
    assert.equal(model.requests.length, 0);
    assert.equal(done.stepResults[0]?.skipped, true);
    assert.equal(done.stepResults[0]?.steps.length, 0);
    assert.equal(done.stepExecutorRuns.length, 0);
  });
});
