import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCall } from "../testing/index.js";
import { Step } from "./components/step.js";
import { CrashingDb, LATER, toolResultCheckpoint } from "./crashing-db.test-helper.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, gatedAgent } from "./workflow.test-helper.js";

describe("workflow.recover() with a step agent whose own lease has not lapsed", () => {
  it("leaves the workflow run as it is until both leases lapsed, then recovers both; the tool never runs twice", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    const { agent } = gatedAgent("AlertAgent", counter, db, [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      text("sent"),
    ]);
    const workflow = new Workflow({ name: "seed", db, steps: [new Step({ name: "send_alert", agent })] });
    const paused = await workflow.run("alert");
    approve(paused);
    db.crashOn = toolResultCheckpoint;
    await assert.rejects(workflow.continueRun(paused), /process died/);
    db.crashOn = undefined;
    // The agent run's holder renewed its lease later than the workflow run's did.
    const agentRunId = paused.stepRequirements.at(-1)?.executorRunId ?? "";
    const agentRun = await db.getRun("agent", agentRunId);
    assert.equal(agentRun?.status, "running");
    assert.ok(await db.renewLease("agent", agentRunId, agentRun?.revision ?? 0, LATER + 5_000));

    const early = await workflow.recover({ now: LATER });
    assert.deepEqual(early.workflowRuns, [], "the workflow run waits for its agent run's lease");
    assert.equal((await db.getRun("workflow", paused.runId))?.status, "running");

    const later = await workflow.recover({ now: LATER + 10_000 });
    assert.deepEqual(
      later.workflowRuns.map((run) => [run.runId, run.needsDecision]),
      [[paused.runId, true]],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.pauseKind, "executor");
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });
});
