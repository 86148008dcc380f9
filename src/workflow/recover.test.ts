import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Db, RunKind, RunRecord, RunWrite } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { StoreError } from "../errors.js";
import { text, toolCall } from "../testing/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, gatedAgent } from "./workflow.test-helper.js";

const LATER = Date.now() + 60 * 60 * 1000;

/** An InMemoryDb whose chosen write "crashes" (throws before storing), like a process dying there. */
class CrashingDb extends InMemoryDb {
  crashOn: ((record: RunRecord) => boolean) | undefined;
  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    if (this.crashOn?.(record) === true) {
      this.crashOn = undefined;
      throw new StoreError("process died");
    }
    return super.updateRun(record, expectedRevision);
  }

  // A workflow stores its step agent's final save together with another write.
  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    if (writes.some(({ record }) => this.crashOn?.(record) === true)) {
      this.crashOn = undefined;
      throw new StoreError("process died");
    }
    return super.writeRuns(writes);
  }
}

function saveOf(kind: RunKind, status: string): (record: RunRecord) => boolean {
  return (record) => record.kind === kind && record.status === status;
}

function seed(db: Db, counter: Counter, script = [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("sent")]) {
  const { agent, model } = gatedAgent("AlertAgent", counter, db, script);
  const workflow = new Workflow({ name: "seed", db, steps: [new Step({ name: "send_alert", agent }), new Step({ name: "log", executor: (input) => `Logged: ${input.previousStepContent ?? ""}` })] });
  return { agent, model, workflow };
}

describe("recover() after a process died inside continueRun", () => {
  it("turns an approved call whose result was never stored into a retry-or-skip requirement", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { agent, model } = seed(db, counter, [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("unused"), text("Skipped it.")]);
    const paused = await agent.run("alert");
    paused.activeRequirements[0]?.confirm();
    db.crashOn = saveOf("agent", "completed");
    await assert.rejects(agent.continueRun(paused), /process died/);
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "running");

    assert.deepEqual(await agent.recover(), [], "a live lease is left alone");
    const [recovered] = await agent.recover({ now: LATER });
    assert.equal(recovered?.runId, paused.runId);
    const run = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.status, "paused");
    const uncertain = run.activeRequirements;
    assert.equal(uncertain.length, 1);
    assert.equal(uncertain[0]?.isRecovered, true);
    assert.match(uncertain[0]?.needs ?? "", /may or may not have run/);
    assert.throws(() => run.requirements[0]?.confirm(), { name: "RequirementResolvedError" });

    uncertain[0]?.reject();
    const done = await agent.continueRun(run);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const told = model.requests.at(-1)?.messages.filter((message) => message.role === "tool").map((message) => message.content);
    assert.deepEqual(told, ["This tool call may or may not have run before the process running it stopped; the user chose not to run it again."]);
  });

  it("runs the call again only when a human confirms the retry", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { agent } = seed(db, counter, [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("Sent.")]);
    const paused = await agent.run("alert");
    paused.activeRequirements[0]?.confirm();
    db.crashOn = (record) => record.kind === "agent" && record.status === "running";
    await assert.rejects(agent.continueRun(paused), /process died/);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "paused", "a crash before the claim changes nothing");
    await agent.continueRun(paused);
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });

  it("re-opens a workflow's executor pause with the agent's uncertain call", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { workflow } = seed(db, counter, [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("unused"), text("not sent")]);
    const paused = await workflow.run("alert");
    approve(paused);
    db.crashOn = saveOf("agent", "completed");
    await assert.rejects(workflow.continueRun(paused));
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(report.workflowRuns, [paused.runId]);
    assert.equal(report.agentRuns.length, 1);
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.pauseKind, "executor");
    assert.equal(run.stepRequirements.length, 2);
    const calls = run.stepRequirements[1]?.executorRequirements ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.isRecovered, true);
    calls[0]?.reject();
    const done = await workflow.continueRun(run);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Logged: not sent");
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });

  it("picks up a finished agent run's output when the workflow died before storing it", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { workflow, model } = seed(db, counter);
    const paused = await workflow.run("alert");
    approve(paused);
    db.crashOn = saveOf("workflow", "completed");
    await assert.rejects(workflow.continueRun(paused));
    assert.equal(counter.of("AlertAgent_tool"), 1);
    await workflow.recover({ now: LATER });
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.status, "paused");
    assert.equal(run.activeStepRequirements.length, 0, "the decision stands; nothing new to ask");
    const done = await workflow.continueRun({ runId: run.runId, sessionId: run.sessionId });
    assert.equal(done.content, "Logged: sent");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal(model.requests.length, 2);
  });

  it("asks a step-level decision again, since the step may have started", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const workflow = new Workflow({ name: "w", db, steps: [new Step({ name: "gated", requiresConfirmation: true, executor: () => { counter.hit("gated"); return "ran"; } })] });
    const paused = await workflow.run("in");
    approve(paused);
    db.crashOn = saveOf("workflow", "completed");
    await assert.rejects(workflow.continueRun(paused));
    await workflow.recover({ now: LATER });
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.stepsRequiringConfirmation.length, 1);
    assert.notEqual(run.stepsRequiringConfirmation[0]?.id, paused.stepRequirements[0]?.id);
    run.stepsRequiringConfirmation[0]?.reject();
    assert.equal((await workflow.continueRun(run)).status, "completed");
    assert.equal(counter.of("gated"), 1);
  });
});
