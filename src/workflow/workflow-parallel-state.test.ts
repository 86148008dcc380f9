import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeWorkflowRunState } from "../runs/index.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import type { WorkflowEvent } from "./events.js";
import { activeAt, activeLabels, approveAt, fanOut } from "./parallel.test-helper.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb } from "./workflow.test-helper.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

const fixture = JSON.parse(
  readFileSync(new URL("../runs/fixtures/workflow-run-v5.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

/** The definition the version-5 fixture was stored under (same fingerprint). */
function fixtureWorkflow(counter: Counter) {
  const db = freshDb();
  const workflow = new Workflow({
    name: "FanOut",
    db,
    steps: [
      new Step({ name: "prepare", executor: () => "prepared" }),
      new Parallel({ name: "fan_out", steps: [countedStep("a", counter), countedStep("b", counter)] }),
    ],
  });
  return { workflow, db };
}

async function storeFixture(db: ReturnType<typeof freshDb>): Promise<void> {
  await db.insertRun({
    kind: "workflow",
    runId: "wf-run-5",
    sessionId: "session-5",
    userId: null,
    ownerId: "FanOut",
    status: "paused",
    revision: 3,
    createdAt: fixture["createdAt"] as number,
    updatedAt: fixture["updatedAt"] as number,
    leaseExpiresAt: null,
    state: JSON.stringify(fixture),
    pending: [],
  });
}

describe("the stored shape of runs paused in Parallel branches", () => {
  it("reads a version-5 run (a Parallel recover() asked about as a whole) and continues it either way", async () => {
    const state = decodeWorkflowRunState(fixture);
    assert.equal(state.schemaVersion, 7);
    const parallel = state.cursor?.[1];
    assert.deepEqual(
      [parallel?.stepType, parallel?.phase, parallel?.stepType === "Parallel" ? parallel.branches : null],
      ["Parallel", "error", []],
    );
    assert.deepEqual(state.stepRequirements[0]?.path, []);

    const retried = fixtureWorkflow(new Counter());
    const counter = new Counter();
    const { workflow, db } = fixtureWorkflow(counter);
    assert.equal(workflow.fingerprint, fixture["fingerprint"], "the definition's fingerprint did not change");
    await storeFixture(db);
    const run = await workflow.getRunOutput("wf-run-5", "session-5");
    assert.deepEqual(activeLabels(run), ["error:fan_out"], "an empty path reads as the step's name");
    activeAt(run, "fan_out").retry();
    const done = await workflow.continueRun(run);
    assert.deepEqual([done.status, done.content], ["completed", "a(prepared)\n\nb(prepared)"]);
    assert.deepEqual([counter.of("a"), counter.of("b")], [1, 1]);

    await storeFixture(retried.db);
    const skipped = await retried.workflow.continueRun({
      runId: "wf-run-5",
      sessionId: "session-5",
      decisions: [{ requirementId: state.stepRequirements[0]?.id ?? "", decision: { type: "skip" } }],
    });
    assert.deepEqual([skipped.status, skipped.content], ["completed", "prepared"]);
  });

  it("stores each branch's place, reads it back as it was, and lists one pending row per paused branch with its path", async () => {
    const { workflow, db } = fanOut();
    const run = await workflow.run("in");
    const frame = run.toJSON().cursor?.[1];
    assert.ok(frame?.stepType === "Parallel");
    assert.deepEqual(
      frame.branches.map((branch) => [
        branch.status,
        branch.frames.map((entry) => entry.phase),
        branch.output?.content,
      ]),
      [
        ["paused", ["confirm"], undefined],
        ["paused", ["executor"], undefined],
        ["done", [], "audit(in)"],
      ],
    );
    assert.deepEqual(
      frame.branches.map((branch) => branch.requirementId),
      [activeAt(run, "approve").id, activeAt(run, "notify").id, null],
    );
    const reread = WorkflowRunOutput.fromJSON(JSON.parse(JSON.stringify(run.toJSON())));
    assert.deepEqual(reread.toJSON(), run.toJSON());
    const pending = await db.listPendingRequirements({});
    assert.deepEqual(
      pending
        .map((row) => [row.requirementId, row.requirementKind, row.summary])
        .sort((a, b) => (a[2] ?? "").localeCompare(b[2] ?? "")),
      [
        [activeAt(run, "approve").id, "confirmation", "fan / fan_out / approve: Approve the budget?"],
        [activeAt(run, "notify").id, "executor", "fan / fan_out / notify: notify wants to call notify_tool"],
      ],
    );
    approveAt(run, "approve");
    await workflow.continueRun(run);
    const left = await db.listPendingRequirements({});
    assert.deepEqual(
      left.map((row) => row.requirementId),
      [activeAt(run, "notify").id],
    );
  });

  it("streams a pause event per paused branch, and a continued event per decided one", async () => {
    const { workflow } = fanOut();
    const pauses = (events: WorkflowEvent[]): string[] =>
      events.flatMap((event) =>
        event.event === "StepPaused" || event.event === "StepExecutorPaused"
          ? [`${event.event}:${event.stepName}`]
          : [],
      );
    const started = workflow.runStream("in");
    const first: WorkflowEvent[] = [];
    for await (const event of started) first.push(event);
    assert.deepEqual(pauses(first), ["StepPaused:approve", "StepExecutorPaused:notify"]);
    const run = await started.output;
    approveAt(run, "approve");
    const continued = workflow.continueRunStream(run);
    const second: WorkflowEvent[] = [];
    for await (const event of continued) second.push(event);
    assert.deepEqual(
      second.filter((event) => event.event === "StepContinued").map((event) => "stepName" in event && event.stepName),
      ["approve"],
    );
    assert.deepEqual(pauses(second), ["StepExecutorPaused:notify"]);
  });
});
