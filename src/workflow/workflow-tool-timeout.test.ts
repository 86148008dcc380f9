import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { GateTimeout, Principal } from "../runs/index.js";
import { FakeModel, text, toolCall, toolCalls } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

const START = 1_000_000;
const LEAD: Principal = { id: "lee", roles: ["leads"] };
const DIRECTOR: Principal = { id: "dana", roles: ["directors"] };

async function stored(workflow: Workflow, run: WorkflowRunOutput): Promise<WorkflowRunOutput> {
  return workflow.getRunOutput(run.runId, run.sessionId);
}

/** A workflow whose step agent calls one gated tool with `timeout`; the workflow and the agent share a clock. */
function toolStep(timeout: GateTimeout, approvers?: string[]) {
  const clock = { now: START };
  const sent: string[] = [];
  const db = new InMemoryDb();
  const send = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    ...(approvers === undefined ? {} : { approvers }),
    timeout,
    execute: ({ city }) => {
      sent.push(city);
      return `Alert sent for ${city}`;
    },
  });
  const model = new FakeModel([toolCall("send_alert", { city: "Tokyo" }), text("Alert handled.")]);
  const agent = new Agent({ name: "Alerter", model, tools: [send], db, now: () => clock.now });
  const workflow = new Workflow({
    name: "alerts",
    db,
    now: () => clock.now,
    steps: [new Step({ name: "alert", agent })],
  });
  return { workflow, agent, model, clock, sent, db };
}

describe("tool gate timeouts inside a workflow (executor pauses)", () => {
  it("rejects through the workflow's sweep: the step's model is told the approval lapsed", async () => {
    const { workflow, model, clock, sent, db } = toolStep({ after: 60, then: "reject" });
    const run = await workflow.run("Alert Tokyo");
    assert.equal(run.stepRequirements[0]?.executorRequirements[0]?.timeoutAt?.getTime(), START + 60_000);
    clock.now += 60_000;
    assert.equal((await workflow.expirePausedRuns()).moved, 1);
    const done = await stored(workflow, run);
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, []);
    const told = model.requests[1]?.messages.flatMap((message) => (message.role === "tool" ? [message.content] : []));
    assert.deepEqual(told, ["The approval for this call lapsed after 60 seconds; it was not executed."]);
    const call = done.stepRequirements[0]?.executorRequirements[0];
    assert.deepEqual(call?.decidedBy, { kind: "timeout", id: "kern:timeout", roles: [] });
    assert.deepEqual(done.stepRequirements[0]?.decidedBy?.kind, "timeout");
    assert.deepEqual(
      await db.listDecisions({ kind: "agent" }),
      [],
      "the step agent's decisions are the workflow's entries",
    );
    assert.equal((await db.listDecisions({ kind: "workflow", runId: run.runId })).length, 1);
  });

  it("approves once, though two sweeps run at once", async () => {
    const { workflow, clock, sent, db } = toolStep({ after: 60, then: "approve" });
    const run = await workflow.run("Alert Tokyo");
    clock.now += 60_000;
    const twin = new Workflow({ name: "alerts", db, steps: [...workflow.steps], now: () => clock.now });
    const reports = await Promise.all([workflow.expirePausedRuns(), twin.expirePausedRuns()]);
    assert.equal(reports[0].moved + reports[1].moved, 1);
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal((await stored(workflow, run)).content, "Alert handled.");
    assert.equal((await db.listDecisions({ runId: run.runId })).length, 1);
  });

  it("cancels the workflow run and its agent run when the call's deadline says cancel", async () => {
    const { workflow, agent, clock, sent } = toolStep({ after: 60, then: "cancel" });
    const run = await workflow.run("Alert Tokyo");
    clock.now += 60_000;
    await workflow.expirePausedRuns();
    const done = await stored(workflow, run);
    assert.equal(done.status, "cancelled");
    assert.deepEqual(sent, []);
    const agentRun = await agent.getRunOutput(run.stepRequirements[0]?.executorRunId ?? "", run.sessionId);
    assert.equal(agentRun.status, "cancelled");
  });

  it("cancels at once when one call's deadline says so, though another call of the pause still waits", async () => {
    const clock = { now: START };
    const db = new InMemoryDb();
    const gated = (name: string, timeout?: GateTimeout) =>
      tool({
        name,
        parameters: z.object({ city: z.string() }),
        requiresConfirmation: true,
        ...(timeout === undefined ? {} : { timeout }),
        execute: () => "done",
      });
    const model = new FakeModel([
      toolCalls([
        { name: "send_alert", args: { city: "Tokyo" } },
        { name: "page_oncall", args: { city: "Tokyo" } },
      ]),
    ]);
    const tools = [gated("send_alert", { after: 60, then: "cancel" }), gated("page_oncall")];
    const agent = new Agent({ name: "Alerter", model, tools, db, now: () => clock.now });
    const workflow = new Workflow({ name: "w", db, now: () => clock.now, steps: [new Step({ name: "alert", agent })] });
    const run = await workflow.run("Alert Tokyo");
    assert.equal(run.stepRequirements[0]?.executorRequirements.length, 2);
    clock.now += 60_000;
    assert.equal((await workflow.expirePausedRuns()).moved, 1);
    assert.equal((await stored(workflow, run)).status, "cancelled");
  });

  it("escalates a step agent's call: only the escalation's approvers decide it, through the workflow", async () => {
    const { workflow, agent, clock, sent } = toolStep(
      { after: 60, then: { escalateTo: ["directors"], timeout: { after: 60, then: "reject" } } },
      ["leads"],
    );
    const run = await workflow.run("Alert Tokyo");
    clock.now += 60_000;
    assert.equal(
      (await agent.expirePausedRuns()).escalated,
      0,
      "the agent's own sweep leaves a workflow's step runs alone",
    );
    assert.equal((await workflow.expirePausedRuns()).escalated, 1);
    const escalated = await stored(workflow, run);
    const call = escalated.stepRequirements[0]?.executorRequirements[0];
    assert.deepEqual(call?.escalation, { level: 1, approvers: ["directors"] });
    assert.equal(workflow.canDecide(LEAD, escalated), false);
    assert.equal(workflow.canDecide(DIRECTOR, escalated), true);
    call?.confirm();
    await assert.rejects(workflow.continueRun(escalated, { actor: LEAD }), { name: "NotAuthorizedError" });
    const done = await workflow.continueRun(escalated, { actor: DIRECTOR });
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, ["Tokyo"]);
  });
});
