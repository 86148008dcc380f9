import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "kern/db/memory";
import type { WorkflowRunOutput } from "kern/workflow";
import { build, input, waitingAt } from "./12_parallel_rejection.js";

delete process.env["OPENAI_API_KEY"];

const BOTH_WAITING = ["confirmation:launch_checks/legal_review", "executor:launch_checks/announce"];
const CANCELLED =
  "Cancelled: branch 'legal_review' of Parallel 'launch_checks' was rejected (onBranchReject: \"cancelPending\").";

/** "kind:path" of each requirement waiting, in order. */
function waiting(run: WorkflowRunOutput): string[] {
  return run.activeStepRequirements.map((requirement) => `${requirement.kind}:${requirement.path.join("/")}`);
}

/** Each branch's output in declaration order: name, skipped, and why it has no output. */
function branches(run: WorkflowRunOutput): Array<[string, boolean, string | null]> {
  return (run.stepResults[0]?.steps ?? []).map((output) => [output.stepName, output.skipped, output.error ?? null]);
}

describe("scenario 12: a rejection in one Parallel branch, under each sibling option", () => {
  it('onBranchReject "continue": the rejected branch is skipped, its sibling still waits and then runs', async () => {
    const { workflow, effects } = build({ onBranchReject: "continue" });
    const first = await workflow.run(input);
    assert.deepEqual([first.status, waiting(first)], ["paused", BOTH_WAITING]);
    waitingAt(first, "legal_review")?.reject("Trademark not cleared yet.");

    const second = await workflow.continueRun(first);
    assert.deepEqual([second.status, waiting(second)], ["paused", ["executor:launch_checks/announce"]]);
    assert.deepEqual(effects, ["inventory"]);
    for (const call of waitingAt(second, "announce")?.executorRequirements ?? []) call.confirm();

    const done = await workflow.continueRun(second);
    assert.deepEqual(
      [done.status, done.content],
      ["completed", "Launch report:\nAnnouncement posted to #launch.\n\nInventory: 120 units ready."],
    );
    assert.deepEqual(branches(done), [
      ["legal_review", true, "Trademark not cleared yet."],
      ["announce", false, null],
      ["inventory", false, null],
    ]);
    assert.deepEqual(effects, ["inventory", "post_announcement #launch"]);
  });

  it('onBranchReject "cancelPending": the waiting sibling is cancelled at once, its tool never runs', async () => {
    const db = new InMemoryDb();
    const { workflow, effects } = build({ onBranchReject: "cancelPending", db });
    const first = await workflow.run(input);
    assert.deepEqual([first.status, waiting(first)], ["paused", BOTH_WAITING]);
    const announce = waitingAt(first, "announce");
    waitingAt(first, "legal_review")?.reject("Trademark not cleared yet.");

    const done = await workflow.continueRun(first);
    assert.deepEqual(
      [done.status, waiting(done), done.content],
      ["completed", [], "Launch report:\nInventory: 120 units ready."],
    );
    assert.deepEqual(branches(done), [
      ["legal_review", true, "Trademark not cleared yet."],
      ["announce", true, CANCELLED],
      ["inventory", false, null],
    ]);
    assert.deepEqual(effects, ["inventory"], "the announcement was never posted");
    // The cancelled branch's requirement closed undecided; nothing is left in the inbox.
    const closed = done.stepRequirements.find((requirement) => requirement.id === announce?.id);
    assert.deepEqual([closed?.isFrozen, closed?.isResolved], [true, false]);
    assert.deepEqual(await db.listPendingRequirements({}), []);
    const stored = await workflow.getRunOutput(done.runId, done.sessionId);
    assert.deepEqual(
      stored.stepExecutorRuns.map((run) => [run.agentName, run.status]),
      [["Announcer", "cancelled"]],
    );
  });

  it('onBranchReject "cancelPending": a rejected tool call cancels the sibling waiting at its step gate', async () => {
    const { workflow, effects } = build({ onBranchReject: "cancelPending" });
    const first = await workflow.run(input);
    for (const call of waitingAt(first, "announce")?.executorRequirements ?? []) call.reject("Not before legal.");

    const done = await workflow.continueRun(first);
    assert.deepEqual(
      [done.status, done.content],
      [
        "completed",
        "Launch report:\nI did not post the announcement: the call was rejected.\n\nInventory: 120 units ready.",
      ],
    );
    assert.deepEqual(
      branches(done).map(([name, skipped]) => [name, skipped]),
      [
        ["legal_review", true],
        ["announce", false],
        ["inventory", false],
      ],
    );
    assert.deepEqual(effects, ["inventory"]);
    const agentRun = done.stepExecutorRuns[0];
    assert.ok(agentRun !== undefined);
    assert.deepEqual(
      agentRun.messages.filter((message) => message.role === "tool").map((message) => message.content),
      ["The user rejected this tool call; it was not executed. Note from the user: Not before legal."],
    );
  });
});
