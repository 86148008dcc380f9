import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  RequirementResolvedError,
  type StepDecision,
  UnresolvedRequirementError,
  type Workflow,
  type WorkflowRunOutput,
} from "kern";
import { FakeModel } from "kern/testing";
import { build } from "./09_stale_requirement_trap.js";

delete process.env["OPENAI_API_KEY"];

/** StepRequirement.toJSON() output as a client holds it: an id, a decision, an executor pause's calls. */
type RequirementJson = {
  id: string;
  schemaVersion?: number;
  decision?: StepDecision | null;
  calls?: Array<{ requirement: { id: string; decision: unknown } }>;
};

const input = "Send a weather alert for Tokyo about heavy rain";

/** Runs scenario 1 to its second pause: the step is confirmed, the tool call is waiting. */
async function toSecondPause(workflow: Workflow): Promise<{ first: WorkflowRunOutput; second: WorkflowRunOutput }> {
  const first = await workflow.run(input);
  assert.equal(first.pauseKind, "step");
  first.stepRequirements[0]?.confirm();
  const second = await workflow.continueRun(first);
  assert.equal(second.pauseKind, "executor");
  assert.equal(second.stepRequirements.length, 2);
  return { first, second };
}

/** The stored run as JSON text plus its revision: what "unchanged" is checked against. */
async function storedSnapshot(
  workflow: Workflow,
  run: WorkflowRunOutput,
): Promise<{ state: string; revision: number | undefined }> {
  const stored = await workflow.getRunOutput(run.runId, run.sessionId);
  const [summary] = await workflow.listRuns({ sessionId: run.sessionId });
  return { state: JSON.stringify(stored.toJSON()), revision: summary?.revision };
}

describe("scenario 9: the stale-requirement trap", () => {
  it("refuses stale and missing decisions without touching the run, then completes once resolved", async () => {
    const { workflow, sent, model } = build();
    const { second } = await toSecondPause(workflow);
    assert.ok(model instanceof FakeModel);
    assert.equal(model.requests.length, 1);

    const stale = second.stepRequirements[0];
    assert.equal(stale?.isFrozen, true);
    assert.throws(() => stale?.confirm(), RequirementResolvedError);
    assert.throws(() => stale?.reject("changed my mind"), RequirementResolvedError);
    assert.equal(stale?.confirmed, true, "a refused reject changes nothing");
    const reloaded = await workflow.getRunOutput(second.runId, second.sessionId);
    assert.throws(
      () => reloaded.stepRequirements[0]?.confirm(),
      RequirementResolvedError,
      "frozen after a db round trip too",
    );

    const before = await storedSnapshot(workflow, second);
    await assert.rejects(workflow.continueRun(second), (error: unknown) => {
      assert.ok(error instanceof UnresolvedRequirementError);
      assert.equal(error.missing.length, 1);
      assert.equal(error.missing[0]?.requirementId, second.stepRequirements[1]?.executorRequirements[0]?.id);
      assert.match(error.missing[0]?.description ?? "", /AlertAgent: tool call 'send_alert'/);
      return true;
    });
    assert.deepEqual(await storedSnapshot(workflow, second), before, "the stored run is unchanged");
    const still = await workflow.getRunOutput(second.runId, second.sessionId);
    assert.equal(still.status, "paused");
    assert.equal(still.pauseKind, "executor");
    assert.deepEqual(sent, []);
    assert.equal(model.requests.length, 1, "the agent was not called again");

    second.stepRequirements[1]?.executorRequirements[0]?.confirm();
    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Logged: Alert sent for Tokyo.");
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal(done.stepRequirements.length, 2);
    assert.throws(
      () => done.stepRequirements[1]?.executorRequirements[0]?.reject("too late"),
      RequirementResolvedError,
    );
  });

  it("ignores the first pause's output passed again: the undecided tool call still blocks", async () => {
    const { workflow, sent } = build();
    const { first, second } = await toSecondPause(workflow);
    const before = await storedSnapshot(workflow, second);
    await assert.rejects(workflow.continueRun(first), UnresolvedRequirementError);
    assert.deepEqual(await storedSnapshot(workflow, second), before);
    assert.deepEqual(sent, []);
  });

  it("refuses requirement JSON whose tool call is unresolved, and never re-applies a stale entry", async () => {
    const { workflow, sent } = build();
    const { second } = await toSecondPause(workflow);
    const ref = { runId: second.runId, sessionId: second.sessionId };

    const undecided = JSON.parse(JSON.stringify(second.stepRequirements)) as RequirementJson[];
    assert.deepEqual(undecided[0]?.decision, { type: "confirm" });
    assert.equal(undecided[1]?.calls?.[0]?.requirement.decision, null);
    const before = await storedSnapshot(workflow, second);
    await assert.rejects(workflow.continueRun({ ...ref, stepRequirements: undecided }), UnresolvedRequirementError);
    assert.deepEqual(await storedSnapshot(workflow, second), before);
    assert.equal((await workflow.getRunOutput(ref.runId, ref.sessionId)).status, "paused");
    assert.deepEqual(sent, []);

    second.stepRequirements[1]?.executorRequirements[0]?.confirm();
    const decided = JSON.parse(JSON.stringify(second.stepRequirements)) as RequirementJson[];
    const staleEntry = decided[0];
    assert.ok(staleEntry !== undefined);
    staleEntry.decision = { type: "reject", feedback: "stale rejection" };
    const done = await workflow.continueRun({ ...ref, stepRequirements: decided });
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Logged: Alert sent for Tokyo.");
    assert.deepEqual(sent, ["Tokyo"]);
    assert.equal(done.stepRequirements[0]?.confirmed, true, "the stale rejection was not applied");
    assert.equal(done.stepRequirements[0]?.rejectionFeedback, null);
  });
});
