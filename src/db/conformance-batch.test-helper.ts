import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, RunRecord } from "./db.js";
import { makeRecord, nextRecord, storeError } from "./records.test-helper.js";

const pending = [{ requirementId: "r1", requirementKind: "confirmation", summary: "Send it?" }];

/** What every store must do with writeRuns(): several writes, one transaction. */
export function registerBatchConformance(db: () => Db): void {
  it("writeRuns() applies inserts and updates together, pending rows included", async () => {
    const workflow = makeRecord({ kind: "workflow", runId: "w1", ownerId: "wf", pending });
    await db().insertRun(workflow);
    const agent = makeRecord({ runId: "a1", status: "paused", pending: [] });
    const nextWorkflow = nextRecord(workflow, { status: "completed", state: '{"done":true}', pending: [] });
    assert.equal(
      await db().writeRuns([
        { record: agent, expectedRevision: null },
        { record: nextWorkflow, expectedRevision: 1 },
      ]),
      true,
    );
    assert.deepEqual(await db().getRun("agent", "a1"), agent);
    assert.deepEqual(await db().getRun("workflow", "w1"), nextWorkflow);
    assert.deepEqual(await db().listPendingRequirements(), []);
  });

  it("writeRuns() returns false and changes nothing when one update is stale", async () => {
    const workflow = makeRecord({ kind: "workflow", runId: "w1", ownerId: "wf", pending });
    await db().insertRun(workflow);
    const inbox = await db().listPendingRequirements();
    const won = await db().writeRuns([
      { record: makeRecord({ runId: "a1", pending }), expectedRevision: null },
      { record: nextRecord(workflow, { revision: 3, status: "completed", pending: [] }), expectedRevision: 2 },
    ]);
    assert.equal(won, false);
    assert.equal(await db().getRun("agent", "a1"), null, "the insert before the stale update was rolled back");
    assert.deepEqual(await db().getRun("workflow", "w1"), workflow);
    assert.deepEqual(await db().listPendingRequirements(), inbox);
  });

  it("writeRuns() throws and changes nothing when an insert's run exists", async () => {
    const stored = makeRecord({ runId: "a1" });
    await db().insertRun(stored);
    const other = makeRecord({ runId: "a2" });
    await assert.rejects(
      db().writeRuns([
        { record: other, expectedRevision: null },
        { record: { ...stored, state: "again" }, expectedRevision: null },
      ]),
      storeError("already stored"),
    );
    assert.equal(await db().getRun("agent", "a2"), null);
    assert.deepEqual(await db().getRun("agent", "a1"), stored);
  });

  it("writeRuns() refuses a batch that writes one run twice or a bad record, storing nothing", async () => {
    const stored = makeRecord({ runId: "a1" });
    await db().insertRun(stored);
    const twice: RunRecord = nextRecord(stored, { state: "one" });
    await assert.rejects(
      db().writeRuns([
        { record: twice, expectedRevision: 1 },
        { record: { ...twice, state: "two" }, expectedRevision: 1 },
      ]),
      storeError("twice"),
    );
    await assert.rejects(
      db().writeRuns([
        { record: makeRecord({ runId: "a2" }), expectedRevision: null },
        { record: nextRecord(stored, { revision: 9 }), expectedRevision: 1 },
      ]),
      storeError("expectedRevision + 1"),
    );
    assert.deepEqual(await db().getRun("agent", "a1"), stored);
    assert.equal(await db().getRun("agent", "a2"), null);
    assert.equal(await db().writeRuns([]), true, "an empty batch writes nothing and succeeds");
  });
}
