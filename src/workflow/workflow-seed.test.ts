import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { sendAlertTool } from "../tools/send-alert.test-helper.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

function seed() {
  const sent: string[] = [];
  const sendAlert = sendAlertTool(sent);
  const model = new FakeModel([
    toolCall("send_alert", { city: "Tokyo", message: "Heavy rain" }),
    text("Alert sent for Tokyo."),
  ]);
  const db = new InMemoryDb();
  const alertAgent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db });
  const workflow = new Workflow({
    name: "DualConfirmation",
    db,
    steps: [
      new Step({
        name: "send_alert",
        agent: alertAgent,
        requiresConfirmation: true,
        confirmationMessage: "Proceed with sending the alert?",
      }),
      new Step({ name: "log", executor: (input) => `Logged: ${input.previousStepContent ?? "nothing was sent"}` }),
    ],
  });
  return { workflow, sent, model };
}

/** The seed's resolution loop, recording each pause kind. */
async function resolveAll(
  workflow: Workflow,
  first: WorkflowRunOutput,
): Promise<{ run: WorkflowRunOutput; pauses: string[] }> {
  let run = first;
  const pauses: string[] = [];
  while (run.isPaused) {
    const active = run.stepRequirements.slice(-1);
    pauses.push(`${run.pauseKind}:${run.pausedStepName}`);
    if (active.some((r) => r.requiresExecutorInput)) {
      for (const r of active) for (const e of r.executorRequirements) e.confirm();
    } else {
      for (const r of active) if (r.requiresConfirmation && !r.requiresExecutorInput) r.confirm();
    }
    run = await workflow.continueRun(run);
  }
  return { run, pauses };
}

describe("the seed: step confirmation + tool confirmation", () => {
  it("pauses at the step, then at the tool, runs the tool once and completes", async () => {
    const { workflow, sent, model } = seed();
    const first = await workflow.run("Send a weather alert for Tokyo about heavy rain");
    assert.equal(first.status, "paused");
    assert.equal(first.pauseKind, "step");
    assert.deepEqual(
      first.stepsRequiringConfirmation.map((r) => r.stepName),
      ["send_alert"],
    );
    assert.equal(first.stepsRequiringConfirmation[0]?.confirmationMessage, "Proceed with sending the alert?");
    assert.equal(model.requests.length, 0);
    first.stepRequirements[0]?.confirm();
    const second = await workflow.continueRun(first);
    assert.equal(second.pauseKind, "executor");
    assert.equal(second.stepRequirements.length, 2);
    assert.equal(second.stepRequirements[0]?.isResolved, true);
    const executor = second.stepRequirements[1];
    assert.equal(executor?.executorName, "AlertAgent");
    assert.equal(executor?.executorRequirements.length, 1);
    assert.equal(executor?.executorRequirements[0]?.toolExecution.toolName, "send_alert");
    assert.deepEqual(executor?.executorRequirements[0]?.toolExecution.toolArgs, {
      city: "Tokyo",
      message: "Heavy rain",
    });
    assert.throws(() => second.stepRequirements[0]?.confirm(), { name: "RequirementResolvedError" });
    await assert.rejects(workflow.continueRun(second), { name: "UnresolvedRequirementError" });
    executor?.executorRequirements[0]?.confirm();
    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Logged: Alert sent for Tokyo.");
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal(done.stepExecutorRuns.length, 1);
  });

  it("runs the seed's resolution loop as written", async () => {
    const { workflow, sent } = seed();
    const { run, pauses } = await resolveAll(
      workflow,
      await workflow.run("Send a weather alert for Tokyo about heavy rain"),
    );
    assert.deepEqual(pauses, ["step:send_alert", "executor:send_alert"]);
    assert.equal(run.content, "Logged: Alert sent for Tokyo.");
    assert.deepEqual(sent, ["Tokyo"]);
  });
});
