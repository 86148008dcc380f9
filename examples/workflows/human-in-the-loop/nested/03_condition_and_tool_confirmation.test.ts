import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel } from "kern/testing";
import type { WorkflowRunOutput } from "kern/workflow";
import { build } from "./03_condition_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

const INPUT = "Deploy version v2.4.0";

/** Checks pause 1: the Condition's own confirmation gate, before any branch ran. */
function assertGatePause(run: WorkflowRunOutput): void {
  assert.equal(run.pauseKind, "step");
  assert.equal(run.pausedStepName, "deploy_gate");
  assert.deepEqual(
    run.stepsRequiringConfirmation.map((requirement) => requirement.stepName),
    ["deploy_gate"],
  );
  const gate = run.stepRequirements[0];
  assert.equal(run.stepRequirements.length, 1);
  assert.equal(gate?.stepType, "Condition");
  assert.equal(gate?.onReject, "else");
  assert.equal(gate?.confirmationMessage, "Deploy to production? Rejecting deploys to staging instead.");
}

/** Checks pause 2: the executor pause names the branch's step and the agent that actually ran. */
function assertToolPause(
  run: WorkflowRunOutput,
  expected: { stepName: string; stepPath: number[]; agentName: string; agentId: string; toolName: string },
): void {
  assert.equal(run.pauseKind, "executor");
  assert.equal(run.pausedStepName, expected.stepName);
  assert.equal(run.stepRequirements.length, 2);
  assert.equal(run.stepRequirements[0]?.isResolved, true);
  const active = run.stepRequirements[1];
  assert.equal(active?.requiresExecutorInput, true);
  assert.equal(active?.stepName, expected.stepName);
  assert.equal(active?.stepType, "Step");
  assert.equal(active?.stepIndex, 0);
  assert.deepEqual(active?.stepPath, expected.stepPath);
  assert.equal(active?.executorName, expected.agentName);
  assert.equal(active?.executorId, expected.agentId);
  assert.equal(active?.executorType, "agent");
  const calls = active?.executorRequirements ?? [];
  assert.deepEqual(
    calls.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
    [[expected.toolName, { version: "v2.4.0" }]],
  );
}

describe("scenario 3: condition confirmation + tool confirmation", () => {
  it("confirm runs the if branch: the prod tool pauses, approving deploys to prod once", async () => {
    const { workflow, prodDeploys, stagingDeploys, evaluations, prodModel, stagingModel } = build();
    assert.ok(prodModel instanceof FakeModel && stagingModel instanceof FakeModel);
    const first = await workflow.run(INPUT);
    assertGatePause(first);
    assert.equal(evaluations.count, 0);
    assert.equal(prodModel.requests.length + stagingModel.requests.length, 0);
    first.stepRequirements[0]?.confirm();

    const second = await workflow.continueRun(first);
    assertToolPause(second, {
      stepName: "deploy_prod",
      stepPath: [0, 0],
      agentName: "ProdDeployer",
      agentId: "prod-deployer",
      toolName: "deploy_prod",
    });
    assert.equal(evaluations.count, 1);
    assert.equal(prodModel.requests[0]?.messages[0]?.content, INPUT);
    assert.deepEqual(prodDeploys, []);
    second.stepRequirements[1]?.executorRequirements[0]?.confirm();

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(prodDeploys, ["v2.4.0"]);
    assert.deepEqual(stagingDeploys, []);
    assert.equal(stagingModel.requests.length, 0);
    assert.equal(done.content, "Announced: Deployed v2.4.0 to production.");
    assert.deepEqual(
      done.stepResults.map((output) => output.stepName),
      ["deploy_gate", "announce"],
    );
    assert.deepEqual(
      done.stepExecutorRuns.map((run) => run.agentName),
      ["ProdDeployer"],
    );
  });

  it("reject runs the else branch unevaluated: the staging tool pauses, approving deploys to staging once", async () => {
    const { workflow, prodDeploys, stagingDeploys, evaluations, prodModel, stagingModel } = build();
    assert.ok(prodModel instanceof FakeModel && stagingModel instanceof FakeModel);
    const first = await workflow.run(INPUT);
    assertGatePause(first);
    first.stepRequirements[0]?.reject("Production is frozen this week");

    const second = await workflow.continueRun(first);
    assertToolPause(second, {
      stepName: "deploy_staging",
      stepPath: [0, 1],
      agentName: "StagingDeployer",
      agentId: "staging-deployer",
      toolName: "deploy_staging",
    });
    assert.equal(second.stepRequirements[1]?.executorRunId, second.stepExecutorRuns[0]?.runId);
    assert.equal(evaluations.count, 0);
    assert.equal(prodModel.requests.length, 0);
    assert.equal(stagingModel.requests[0]?.messages[0]?.content, INPUT);
    assert.deepEqual(stagingDeploys, []);
    second.stepRequirements[1]?.executorRequirements[0]?.confirm();

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(stagingDeploys, ["v2.4.0"]);
    assert.deepEqual(prodDeploys, []);
    assert.equal(prodModel.requests.length, 0);
    assert.equal(stagingModel.requests.length, 2);
    assert.equal(done.content, "Announced: Deployed v2.4.0 to staging.");
    assert.deepEqual(
      done.stepExecutorRuns.map((run) => run.agentName),
      ["StagingDeployer"],
    );
  });

  it("a rejected deploy never runs, and the scripted agent reports it as not done", async () => {
    const { workflow, prodDeploys, prodModel } = build();
    assert.ok(prodModel instanceof FakeModel);
    const first = await workflow.run(INPUT);
    first.stepRequirements[0]?.confirm();
    const second = await workflow.continueRun(first);
    second.stepRequirements[1]?.executorRequirements[0]?.reject("Not during the freeze");

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(prodDeploys, []);
    const told = prodModel.requests[1]?.messages.at(-1);
    assert.equal(told?.role, "tool");
    assert.match(told?.content ?? "", /not executed/);
    assert.equal(done.content, "Announced: I did not deploy v2.4.0 to production: the deploy was rejected.");
  });
});
