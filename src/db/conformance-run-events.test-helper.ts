import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, NewRunEvent } from "./db.js";
import { storeError } from "./records.test-helper.js";

function events(names: readonly string[], createdAt = 1_000): NewRunEvent[] {
  return names.map((event, index) => ({ event, data: JSON.stringify({ event, index }), createdAt: createdAt + index }));
}

/**
 * What every store must do with run events: number them per run from 1 with no gaps, even when
 * appends race; list them in order after a number; keep each run's last one through retention.
 */
export function registerRunEventConformance(db: () => Db): void {
  it("numbers each run's events from 1, apart from every other run's, and lists them after a number", async () => {
    assert.equal(await db().lastRunEventSeq("workflow", "run-1"), 0);
    assert.equal(await db().appendRunEvents("workflow", "run-1", events(["WorkflowStarted", "StepStarted"])), 2);
    assert.equal(await db().appendRunEvents("agent", "run-1", events(["RunStarted"])), 1);
    assert.equal(await db().appendRunEvents("workflow", "run-1", events(["StepPaused"], 5_000)), 3);
    assert.equal(await db().lastRunEventSeq("workflow", "run-1"), 3);
    const all = await db().listRunEvents({ kind: "workflow", runId: "run-1" });
    assert.deepEqual(all, [
      {
        kind: "workflow",
        runId: "run-1",
        seq: 1,
        event: "WorkflowStarted",
        data: '{"event":"WorkflowStarted","index":0}',
        createdAt: 1_000,
      },
      {
        kind: "workflow",
        runId: "run-1",
        seq: 2,
        event: "StepStarted",
        data: '{"event":"StepStarted","index":1}',
        createdAt: 1_001,
      },
      {
        kind: "workflow",
        runId: "run-1",
        seq: 3,
        event: "StepPaused",
        data: '{"event":"StepPaused","index":0}',
        createdAt: 5_000,
      },
    ]);
    assert.deepEqual(
      (await db().listRunEvents({ kind: "workflow", runId: "run-1", after: 1, limit: 1 })).map((entry) => entry.seq),
      [2],
    );
    assert.deepEqual(await db().listRunEvents({ kind: "workflow", runId: "run-1", after: 3 }), []);
    assert.deepEqual(await db().listRunEvents({ kind: "agent", runId: "run-2" }), []);
  });

  it("gives racing appends to one run distinct numbers with no gap, each event once", async () => {
    const batches = Array.from({ length: 12 }, (_, batch) =>
      events([`A${batch}`, `B${batch}`, `C${batch}`], 1_000 + batch * 10),
    );
    const lasts = await Promise.all(batches.map((batch) => db().appendRunEvents("agent", "race", batch)));
    assert.deepEqual(
      [...lasts].sort((left, right) => left - right),
      Array.from({ length: 12 }, (_, index) => (index + 1) * 3),
    );
    const stored = await db().listRunEvents({ kind: "agent", runId: "race", limit: 1000 });
    assert.deepEqual(
      stored.map((entry) => entry.seq),
      Array.from({ length: 36 }, (_, index) => index + 1),
    );
    // Each batch stayed together, in its own order.
    for (let index = 0; index < stored.length; index += 3) {
      const batch = stored[index]?.event.slice(1);
      assert.deepEqual(
        stored.slice(index, index + 3).map((entry) => entry.event),
        [`A${batch}`, `B${batch}`, `C${batch}`],
      );
    }
  });

  it("retention deletes old events but each run's last, so numbering goes on", async () => {
    await db().appendRunEvents("workflow", "old", events(["WorkflowStarted", "StepStarted", "StepPaused"], 100));
    await db().appendRunEvents("workflow", "new", events(["WorkflowStarted"], 9_000));
    assert.equal(await db().deleteRunEvents(1, 10), 0);
    assert.equal(await db().deleteRunEvents(5_000, 1), 1);
    assert.equal(await db().deleteRunEvents(5_000), 1);
    assert.equal(await db().deleteRunEvents(10_000), 0);
    assert.deepEqual(
      (await db().listRunEvents({ kind: "workflow", runId: "old" })).map((entry) => [entry.seq, entry.event]),
      [[3, "StepPaused"]],
    );
    assert.equal(await db().appendRunEvents("workflow", "old", events(["StepContinued"], 20_000)), 4);
    assert.equal((await db().listRunEvents({ kind: "workflow", runId: "new" })).length, 1);
  });

  it("refuses a malformed event or filter with StoreError, storing nothing", async () => {
    await assert.rejects(
      db().appendRunEvents("agent", "bad", [
        { event: "RunStarted", data: "{}", createdAt: 1 },
        { event: "", data: "{}", createdAt: 2 },
      ]),
      storeError("malformed event at index 1"),
    );
    await assert.rejects(db().listRunEvents({ kind: "agent", runId: "bad", after: -1 }), storeError("after"));
    await assert.rejects(db().deleteRunEvents(-5), storeError("createdBefore"));
    assert.equal(await db().lastRunEventSeq("agent", "bad"), 0);
  });
}
