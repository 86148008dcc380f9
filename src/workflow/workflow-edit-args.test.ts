import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { InMemoryDb } from "../db/memory/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { freshDb, pauseLabel } from "./workflow.test-helper.js";

interface Alerts {
  workflow: Workflow;
  model: FakeModel;
  db: InMemoryDb;
  sent: Array<Record<string, unknown>>;
}

/** A confirmed step, then a step whose agent calls the gated send_alert for Tokyo. */
function alerts(options: { editableArgs?: boolean } = {}): Alerts {
  const db = freshDb();
  const sent: Array<Record<string, unknown>> = [];
  const sendAlert = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string(), message: z.string().min(5, "message: say at least 5 characters") }),
    requiresConfirmation: true,
    ...options,
    execute: (args) => {
      sent.push(args);
      return `Alert sent for ${args.city}`;
    },
  });
  const model = new FakeModel([toolCall("send_alert", { city: "Tokyo", message: "Heavy rain" }), text("Sent.")]);
  const agent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db });
  const workflow = new Workflow({
    name: "alerts",
    db,
    steps: [
      new Step({ name: "plan", executor: () => "alert Tokyo", requiresConfirmation: true }),
      new Step({ name: "send", agent }),
    ],
  });
  return { workflow, model, db, sent };
}

/** Runs to the executor pause (approving the step gate first) and returns it with its one call's id. */
async function toExecutorPause(workflow: Workflow) {
  let run = await workflow.run("Alert Tokyo");
  run.stepRequirements.at(-1)?.confirm();
  run = await workflow.continueRun(run);
  assert.equal(pauseLabel(run), "executor:send");
  const callId = run.stepRequirements.at(-1)?.executorRequirements[0]?.id ?? "";
  return { run, callId };
}

describe("approve with edits through a workflow's executor pause", () => {
  it("runs the step agent's tool once with the edited arguments, tells its model, and records both in the workflow's chain", async () => {
    const { workflow, model, db, sent } = alerts();
    const { run, callId } = await toExecutorPause(workflow);
    const call = run.stepRequirements.at(-1)?.executorRequirements[0];
    assert.equal(call?.toolExecution.editableArgs, true);
    const args = { city: "Osaka", message: "Heavy rain" };
    const done = await workflow.continueRun(
      {
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId: callId, decision: { type: "confirm", args } }],
      },
      { actor: { id: "fred", roles: ["ops"] } },
    );
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, [args]);
    const toolMessages = (model.requests[1]?.messages ?? []).filter((message) => message.role === "tool");
    assert.deepEqual(
      toolMessages.map((message) => message.content),
      ['Approved with edited arguments: {"city":"Osaka","message":"Heavy rain"}. Alert sent for Osaka'],
    );
    const agentRun = done.stepExecutorRuns[0];
    assert.deepEqual(agentRun?.tools[0]?.proposedArgs, { city: "Tokyo", message: "Heavy rain" });
    assert.deepEqual(agentRun?.tools[0]?.toolArgs, args);

    const entries = await db.listDecisions({ runId: run.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.gateKind, entry.decision]),
      [
        ["confirmation", '{"type":"confirm"}'],
        [
          "confirmation",
          '{"args":{"city":"Osaka","message":"Heavy rain"},"proposedArgs":{"city":"Tokyo","message":"Heavy rain"},"type":"confirm"}',
        ],
      ],
    );
    assert.equal(entries[1]?.shownDigest, call?.shownDigest);
    assert.deepEqual(await db.listDecisions({ kind: "agent" }), []);
    assert.equal((await verifyDecisionChain(db, { kind: "workflow", runId: run.runId })).ok, true);
  });

  it("refuses an invalid edit before anything is stored, in the workflow or its step agent's run", async () => {
    const { workflow, db, sent } = alerts();
    const { run, callId } = await toExecutorPause(workflow);
    const agentRunId = run.stepRequirements.at(-1)?.executorRunId ?? "";
    const before = [await db.getRun("workflow", run.runId), await db.getRun("agent", agentRunId)];
    const call = run.stepRequirements.at(-1)?.executorRequirements[0];
    call?.confirm({ args: { city: "Osaka", message: "Hi" } });
    await assert.rejects(workflow.continueRun(run), {
      name: "InvalidResolutionError",
      message:
        /edited arguments for tool call 'send_alert' .* are invalid: message: message: say at least 5 characters/,
    });
    const asData = { type: "confirm" as const, args: { city: 7 } };
    await assert.rejects(
      workflow.continueRun({
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId: callId, decision: asData }],
      }),
      { name: "InvalidResolutionError", message: /city: Invalid input: expected string/ },
    );
    assert.deepEqual([await db.getRun("workflow", run.runId), await db.getRun("agent", agentRunId)], before);
    assert.equal(sent.length, 0);
    assert.equal((await db.listDecisions({ runId: run.runId })).length, 1, "only the step gate's entry");
  });

  it("refuses edits to a tool with editableArgs: false, and args on a workflow gate", async () => {
    const locked = alerts({ editableArgs: false });
    const { run, callId } = await toExecutorPause(locked.workflow);
    const stored = await locked.db.getRun("workflow", run.runId);
    assert.throws(() => run.stepRequirements.at(-1)?.executorRequirements[0]?.confirm({ args: { city: "Osaka" } }), {
      name: "InvalidResolutionError",
      message: /cannot be approved with edited arguments/,
    });
    const edit = { type: "confirm" as const, args: { city: "Osaka", message: "Heavy rain" } };
    await assert.rejects(
      locked.workflow.continueRun({
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId: callId, decision: edit }],
      }),
      { name: "InvalidResolutionError", message: /does not allow edited arguments \(editableArgs: false\)/ },
    );
    assert.deepEqual(await locked.db.getRun("workflow", run.runId), stored);
    assert.equal(locked.sent.length, 0);

    const gated = alerts();
    const first = await gated.workflow.run("Alert Tokyo");
    const before = await gated.db.getRun("workflow", first.runId);
    const gateId = first.stepRequirements.at(-1)?.id ?? "";
    await assert.rejects(
      gated.workflow.continueRun({
        runId: first.runId,
        sessionId: first.sessionId,
        decisions: [{ requirementId: gateId, decision: { type: "confirm", args: { city: "Osaka" } } }],
      }),
      { name: "InvalidResolutionError", message: /takes no "args": edited arguments fit the approval of a tool call/ },
    );
    assert.deepEqual(await gated.db.getRun("workflow", first.runId), before);
  });
});
