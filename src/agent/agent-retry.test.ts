import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { error, text, toolCall } from "../testing/index.js";
import { Step } from "../workflow/components/step.js";
import { Workflow } from "../workflow/workflow.js";
import { Counter, gatedAgent } from "../workflow/workflow.test-helper.js";

describe("a model failure right after an approved tool ran", () => {
  it("leaves the agent run resumable from its checkpoint: retryRun() never runs the tool again", async () => {
    const counter = new Counter();
    const { agent, model } = gatedAgent("AlertAgent", counter, new InMemoryDb(), [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      error(503, "overloaded"),
      text("Sent."),
    ]);
    const paused = await agent.run("alert");
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused), { name: "ModelError", status: 503 });
    const failed = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(failed.status, "error");
    assert.equal(
      failed.tools[0]?.result,
      "AlertAgent_tool done for Tokyo",
      "the result was stored before the model failed",
    );
    await assert.rejects(agent.continueRun(failed), { name: "RunNotPausedError", message: /retryRun\(\) resumes it/ });

    const done = await agent.retryRun({ runId: paused.runId, sessionId: paused.sessionId });
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Sent.");
    assert.equal(done.error, undefined);
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const told = model.requests
      .at(-1)
      ?.messages.filter((message) => message.role === "tool")
      .map((message) => message.content);
    assert.deepEqual(told, ["AlertAgent_tool done for Tokyo"]);
    await assert.rejects(agent.retryRun({ runId: paused.runId, sessionId: paused.sessionId }), {
      name: "RunNotPausedError",
      message: /only a run that ended with an error can be retried/,
    });
  });

  it("leaves a workflow whose step agent failed resumable: retryRun() resumes the agent run where it failed", async () => {
    const counter = new Counter();
    const db = new InMemoryDb();
    const { agent } = gatedAgent("AlertAgent", counter, db, [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      error(500, "boom"),
      text("sent"),
    ]);
    const logged: string[] = [];
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [
        new Step({ name: "send", agent }),
        new Step({
          name: "log",
          executor: (input) => {
            logged.push(input.previousStepContent ?? "");
            return "logged";
          },
        }),
      ],
    });
    const paused = await workflow.run("alert");
    paused.stepRequirements.at(-1)?.executorRequirements[0]?.confirm();
    await assert.rejects(workflow.continueRun(paused), { name: "StepFailedError" });
    assert.equal((await workflow.getRunOutput(paused.runId, paused.sessionId)).status, "error");
    const done = await workflow.retryRun({ runId: paused.runId, sessionId: paused.sessionId });
    assert.equal(done.status, "completed");
    assert.deepEqual(logged, ["sent"]);
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal(done.stepExecutorRuns.length, 1, "the same agent run went on; no second one was started");
  });

  it("runs a failed function step again on retryRun(), keeping the steps before it", async () => {
    const counter = new Counter();
    let failures = 1;
    const workflow = new Workflow({
      name: "w",
      db: new InMemoryDb(),
      steps: [
        new Step({
          name: "prepare",
          executor: () => {
            counter.hit("prepare");
            return "prepared";
          },
        }),
        new Step({
          name: "flaky",
          executor: (input) => {
            counter.hit("flaky");
            if (failures-- > 0) throw new Error("upstream timed out");
            return `${input.previousStepContent ?? ""} and done`;
          },
        }),
      ],
    });
    const failed = await workflow.run("go").catch((caught: unknown) => caught);
    assert.equal((failed as Error).name, "StepFailedError");
    const [summary] = await workflow.listRuns({ status: "error" });
    assert.ok(summary !== undefined);
    const done = await workflow.retryRun(summary);
    assert.equal(done.content, "prepared and done");
    assert.equal(counter.of("prepare"), 1);
    assert.equal(counter.of("flaky"), 2);
  });
});
