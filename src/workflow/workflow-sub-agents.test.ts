import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { Db } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { CrashingDb, LATER } from "./crashing-db.test-helper.js";
import { Workflow } from "./workflow.js";
import { Counter } from "./workflow.test-helper.js";

/** Step "respond" runs Coordinator, which calls Notifier as a tool; Notifier's `page_oncall` is gated (approvers: oncall). */
function incident(db: Db, counter: Counter, options: { confirm?: boolean } = {}) {
  const pageOncall = tool({
    name: "page_oncall",
    parameters: z.object({ team: z.string() }),
    requiresConfirmation: true,
    approvers: ["oncall"],
    execute: ({ team }) => {
      counter.hit("page_oncall");
      return `Paged ${team}.`;
    },
  });
  const notifier = new Agent({
    name: "Notifier",
    model: new FakeModel([toolCall("page_oncall", { team: "db" }), text("Paged the db team.")]),
    tools: [pageOncall],
  });
  const coordinator = new Agent({
    name: "Coordinator",
    model: new FakeModel([toolCall("notify", { input: "Page the db team" }), text("Incident handled.")]),
    tools: [notifier.asTool({ name: "notify" })],
    db,
  });
  const respond = new Step({ name: "respond", agent: coordinator, requiresConfirmation: options.confirm === true });
  return { workflow: new Workflow({ name: "Incident", db, steps: [respond] }), coordinator };
}

const ONCALL = { id: "ana", roles: ["oncall"] };

describe("a workflow step whose agent calls a sub-agent", () => {
  it("pauses with the sub-agent's call, its path from the step's agent, and runs it once when approved", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { workflow } = incident(db, counter, { confirm: true });
    const first = await workflow.run("db is down");
    assert.equal(first.pauseKind, "step");
    first.activeStepRequirements[0]?.confirm();
    const second = await workflow.continueRun(first, { actor: ONCALL });
    const [pause] = second.activeStepRequirements;
    assert.deepEqual(
      [second.pauseKind, pause?.path, pause?.executorName, pause?.executorRequirements.map((call) => call.path)],
      ["executor", ["respond"], "Coordinator", [["Coordinator", "Notifier", "page_oncall"]]],
    );
    const [row] = await db.listPendingRequirements({});
    assert.equal(row?.kind, "workflow", "the inbox lists the workflow's pause, not the agent run's");
    for (const call of pause?.executorRequirements ?? []) call.confirm();
    const done = await workflow.continueRun(second, { actor: ONCALL });
    assert.deepEqual([done.status, done.content], ["completed", "Incident handled."]);
    assert.equal(counter.of("page_oncall"), 1);
    assert.deepEqual(
      done.stepExecutorRuns.map((run) => [run.agentName, run.subRuns.map((sub) => [sub.agentName, sub.status])]),
      [["Coordinator", [["Notifier", "completed"]]]],
    );
  });

  it("checks the sub-agent's tool's approvers: nothing changes for someone without the role", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { workflow } = incident(db, counter);
    const paused = await workflow.run("db is down");
    for (const call of paused.activeStepRequirements[0]?.executorRequirements ?? []) call.confirm();
    await assert.rejects(workflow.continueRun(paused, { actor: { id: "bo", roles: ["dev"] } }), {
      name: "NotAuthorizedError",
    });
    assert.equal(counter.of("page_oncall"), 0);
    const again = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(again.isPaused, true);
    for (const call of again.activeStepRequirements[0]?.executorRequirements ?? []) call.confirm();
    assert.equal((await workflow.continueRun(again, { actor: ONCALL })).status, "completed");
    assert.equal(counter.of("page_oncall"), 1);
  });

  it("refuses to continue the step agent's run on its own: one claim for the tree, the workflow's", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { workflow, coordinator } = incident(db, counter);
    const paused = await workflow.run("db is down");
    const agentRunId = paused.activeStepRequirements[0]?.executorRunId ?? "";
    const agentRun = await coordinator.getRunOutput(agentRunId, paused.sessionId);
    for (const requirement of agentRun.activeRequirements) requirement.confirm();
    await assert.rejects(coordinator.continueRun(agentRun, { actor: ONCALL }), {
      name: "ConfigurationError",
      message: new RegExp(`belongs to workflow run '${paused.runId}'`),
    });
    await assert.rejects(coordinator.cancelRun(agentRunId, paused.sessionId), { name: "ConfigurationError" });
    assert.equal(counter.of("page_oncall"), 0);
    assert.equal((await coordinator.getRunOutput(agentRunId, paused.sessionId)).status, "paused");
  });

  it("recover() after a crash inside the sub-agent's tool asks about that call, with its path", async () => {
    const db = new CrashingDb();
    const counter = new Counter();
    const { workflow } = incident(db, counter);
    const paused = await workflow.run("db is down");
    for (const call of paused.activeStepRequirements[0]?.executorRequirements ?? []) call.confirm();
    db.crashOn = (record) => record.kind === "agent" && record.state.includes('"result":"Paged db."');
    await assert.rejects(workflow.continueRun(paused, { actor: ONCALL }), /process died/);
    assert.equal(counter.of("page_oncall"), 1);
    const recovery = await workflow.recover({ now: LATER });
    assert.deepEqual(
      recovery.workflowRuns.map((run) => [run.runId, run.needsDecision]),
      [[paused.runId, true]],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    const [call] = run.activeStepRequirements[0]?.executorRequirements ?? [];
    assert.deepEqual([call?.path, call?.isRecovered], [["Coordinator", "Notifier", "page_oncall"], true]);
    call?.reject();
    const done = await workflow.continueRun(run, { actor: ONCALL });
    assert.equal(done.status, "completed");
    assert.equal(counter.of("page_oncall"), 1, "the call that may have run was not run again");
  });

  it("pauses inside a Parallel branch, next to a sibling that finishes", async () => {
    const db = new InMemoryDb();
    const counter = new Counter();
    const { coordinator } = incident(db, counter);
    const workflow = new Workflow({
      name: "Fanout",
      db,
      steps: [
        new Parallel({
          name: "together",
          steps: [
            new Step({ name: "respond", agent: coordinator }),
            new Step({ name: "log", executor: () => "logged" }),
          ],
        }),
      ],
    });
    const paused = await workflow.run("db is down");
    const [pause] = paused.activeStepRequirements;
    assert.deepEqual(
      [pause?.path, pause?.executorRequirements.map((call) => call.path)],
      [["together", "respond"], [["Coordinator", "Notifier", "page_oncall"]]],
    );
    for (const call of pause?.executorRequirements ?? []) call.confirm();
    const done = await workflow.continueRun(paused, { actor: ONCALL });
    assert.deepEqual([done.status, done.content], ["completed", "Incident handled.\n\nlogged"]);
    assert.equal(counter.of("page_oncall"), 1);
  });
});
