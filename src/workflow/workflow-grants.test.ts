import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { Db, GrantScope } from "../db/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

/**
 * A workflow of one agent step; per step run (`runs`), its model asks to send an alert per city,
 * each in its own turn, then answers.
 */
function alerts(db: Db, runs: string[][], agentDb?: Db, stepCount = 1) {
  const sent: string[] = [];
  const sendAlert = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      sent.push(city);
      return `Alert sent for ${city}`;
    },
  });
  const script = runs.flatMap((cities) => [...cities.map((city) => toolCall("send_alert", { city })), text("Done.")]);
  const model = new FakeModel(script);
  const agent = new Agent({
    name: "Alerter",
    model,
    tools: [sendAlert],
    ...(agentDb === undefined ? {} : { db: agentDb }),
  });
  const workflow = new Workflow({
    name: "alerts",
    db,
    steps: Array.from({ length: stepCount }, (_, index) => new Step({ name: `send-${index + 1}`, agent })),
  });
  return { workflow, agent, sent, model };
}

/** Decides the executor pause's one call with a confirm that asks for a grant of `scope`. */
function approveWithGrant(workflow: Workflow, run: WorkflowRunOutput, scope: GrantScope) {
  const callId = run.stepRequirements.at(-1)?.executorRequirements[0]?.id ?? "";
  return workflow.continueRun(
    {
      runId: run.runId,
      sessionId: run.sessionId,
      decisions: [{ requirementId: callId, decision: { type: "confirm", grant: { scope } } }],
    },
    { actor: { id: "ana", roles: ["ops"] } },
  );
}

describe("grants through a workflow's executor pause", () => {
  it("stores the step agent's grant with the workflow's claim; its later calls in the session run without a pause", async () => {
    const db = new InMemoryDb();
    const { workflow, agent, sent } = alerts(db, [["Osaka", "Kyoto"]]);
    const paused = await workflow.run("Alert", { sessionId: "s-1", userId: "ana" });
    assert.equal(paused.status, "paused");
    const done = await approveWithGrant(workflow, paused, "session");
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
    assert.equal(done.stepRequirements.length, 1, "the second call never paused the workflow");
    const [grant, ...others] = await db.listGrants();
    assert.equal(others.length, 0);
    assert.deepEqual(
      [grant?.ownerId, grant?.toolName, grant?.scope, grant?.scopeId, grant?.createdBy],
      [agent.id, "send_alert", "session", "s-1", "ana"],
    );
    const agentRun = done.stepExecutorRuns[0];
    assert.deepEqual(agentRun?.requirements[1]?.decidedBy, {
      kind: "grant",
      id: `kern:grant:${grant?.id ?? ""}`,
      roles: [],
      grantId: grant?.id ?? "",
    });
    const [workflowEntry] = await db.listDecisions({ runId: done.runId });
    assert.deepEqual(JSON.parse(workflowEntry?.decision ?? "null"), { type: "confirm", grant: { scope: "session" } });
    assert.equal((await verifyDecisionChain(db, { kind: "workflow", runId: done.runId })).ok, true);
  });

  it('scopes "run" to the workflow run: its step agent is covered, the next workflow run in the session asks again', async () => {
    const db = new InMemoryDb();
    const { workflow, sent } = alerts(db, [["Osaka", "Kyoto"], ["Nara"]]);
    const first = await approveWithGrant(workflow, await workflow.run("Alert", { sessionId: "s-1" }), "run");
    assert.equal(first.status, "completed");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
    assert.equal((await db.listGrants())[0]?.scopeId, first.runId);
    const second = await workflow.run("Alert", { sessionId: "s-1" });
    assert.equal(second.status, "paused");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
  });

  it('"run" covers the workflow run\'s later step agent runs too', async () => {
    const db = new InMemoryDb();
    const { workflow, sent } = alerts(db, [["Osaka"], ["Kyoto"]], undefined, 2);
    const done = await approveWithGrant(workflow, await workflow.run("Alert", { sessionId: "s-1" }), "run");
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
    assert.equal(done.stepExecutorRuns.length, 2, "two step agent runs, one pause");
  });

  it('refuses a "user" grant on a run without a userId, storing nothing', async () => {
    const db = new InMemoryDb();
    const { workflow, sent } = alerts(db, [["Osaka"]]);
    const paused = await workflow.run("Alert", { sessionId: "s-1" });
    await assert.rejects(approveWithGrant(workflow, paused, "user"), { code: "KERN_INVALID_RESOLUTION" });
    assert.deepEqual(await db.listGrants(), []);
    assert.deepEqual(sent, []);
    assert.equal((await workflow.getRunOutput(paused.runId, "s-1")).status, "paused");
  });

  it("refuses a grant for a step agent that stores in a Db of its own, storing nothing", async () => {
    const db = new InMemoryDb();
    const agentDb = new InMemoryDb();
    const { workflow, sent } = alerts(db, [["Osaka"]], agentDb);
    const paused = await workflow.run("Alert", { sessionId: "s-1" });
    await assert.rejects(approveWithGrant(workflow, paused, "session"), /stores its runs in a Db of its own/);
    assert.deepEqual([await db.listGrants(), await agentDb.listGrants(), sent], [[], [], []]);
  });
});
