import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel, text, toolCall } from "kern/testing";
import { build } from "./01_step_confirmation_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

describe("scenario 1: step confirmation + tool confirmation", () => {
  it("pauses at the step, then at the tool; approving runs the tool once and the log step", async () => {
    const { workflow, sent } = build();
    const first = await workflow.run("Send a weather alert for Tokyo about heavy rain");
    assert.equal(first.pauseKind, "step");
    assert.deepEqual(
      first.stepsRequiringConfirmation.map((requirement) => requirement.stepName),
      ["send_alert"],
    );
    first.stepsRequiringConfirmation[0]?.confirm();

    const second = await workflow.continueRun(first);
    assert.equal(second.pauseKind, "executor");
    assert.equal(second.stepRequirements.length, 2);
    assert.equal(second.stepRequirements[0]?.isResolved, true);
    const calls = second.stepRequirements[1]?.executorRequirements ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.toolExecution.toolName, "send_alert");
    assert.deepEqual(calls[0]?.toolExecution.toolArgs, { city: "Tokyo", message: "Heavy rain expected tonight." });
    assert.equal(sent.length, 0);
    calls[0]?.confirm();

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal(done.content, "Logged: Alert sent for Tokyo.");
    assert.deepEqual(
      done.stepResults.map((output) => output.stepName),
      ["send_alert", "log"],
    );
  });

  it("on a rejected step never calls the agent, and the log says nothing was sent", async () => {
    const { workflow, sent, model } = build({ script: [] });
    const first = await workflow.run("Send a weather alert for Tokyo about heavy rain");
    first.stepRequirements[0]?.reject("Not now");
    const done = await workflow.continueRun(first);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Logged: nothing was sent");
    assert.deepEqual(sent, []);
    assert.ok(model instanceof FakeModel);
    assert.equal(model.requests.length, 0);
    assert.equal(done.stepResults[0]?.skipped, true);
    assert.equal(done.stepExecutorRuns.length, 0);
  });

  it("on a rejected tool call never runs the tool and tells the model the note", async () => {
    const script = [
      toolCall("send_alert", { city: "Tokyo", message: "Rain" }),
      text("The alert was not sent: the operator declined."),
    ];
    const { workflow, sent } = build({ script });
    let run = await workflow.run("Send a weather alert for Tokyo about heavy rain");
    run.stepRequirements[0]?.confirm();
    run = await workflow.continueRun(run);
    run.stepRequirements[1]?.executorRequirements[0]?.reject("Wrong city");
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(sent, []);
    assert.equal(run.content, "Logged: The alert was not sent: the operator declined.");
    const agentRun = run.stepExecutorRuns[0];
    const told = agentRun?.messages.filter((message) => message.role === "tool").map((message) => message.content);
    assert.deepEqual(told, ["The user rejected this tool call; it was not executed. Note from the user: Wrong city"]);
  });
});
