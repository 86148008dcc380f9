import assert from "node:assert/strict";
import { it } from "node:test";
import { StoreError } from "../errors.js";
import type { Db } from "./db.js";
import { makeRecord } from "./records.test-helper.js";

/** listRuns(): filters, paging, order, and what a summary leaves out. */
export function registerListRunsConformance(db: () => Db): void {
  const seed = async (): Promise<void> => {
    await db().insertRun(makeRecord({ runId: "a1", ownerId: "agent-a", sessionId: "s1", updatedAt: 10 }));
    await db().insertRun(
      makeRecord({ runId: "a2", ownerId: "agent-a", sessionId: "s2", updatedAt: 30, status: "completed" }),
    );
    await db().insertRun(makeRecord({ runId: "b1", ownerId: "agent-b", sessionId: "s1", updatedAt: 20 }));
    await db().insertRun(makeRecord({ kind: "workflow", runId: "w1", ownerId: "wf", sessionId: "s1", updatedAt: 40 }));
  };
  const ids = (runs: Array<{ runId: string }>): string[] => runs.map((run) => run.runId);

  it("lists runs newest first, filtered by kind, owner, session and status", async () => {
    await seed();
    assert.deepEqual(ids(await db().listRuns()), ["w1", "a2", "b1", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ kind: "agent" })), ["a2", "b1", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ kind: "workflow" })), ["w1"]);
    assert.deepEqual(ids(await db().listRuns({ ownerId: "agent-a" })), ["a2", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ sessionId: "s1" })), ["w1", "b1", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ status: "paused", sessionId: "s1", kind: "agent" })), ["b1", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ ownerId: "nobody" })), []);
  });

  it("lists the runs one user started", async () => {
    await db().insertRun(makeRecord({ runId: "x1", sessionId: "sx", userId: "ursula", updatedAt: 10 }));
    await db().insertRun(makeRecord({ runId: "y1", sessionId: "sy", userId: "yann", updatedAt: 20 }));
    await db().insertRun(makeRecord({ runId: "x2", sessionId: "sx2", userId: "ursula", updatedAt: 30 }));
    await db().insertRun(makeRecord({ runId: "n1", sessionId: "sn", userId: null, updatedAt: 40 }));
    assert.deepEqual(ids(await db().listRuns({ userId: "ursula" })), ["x2", "x1"]);
    assert.deepEqual(ids(await db().listRuns({ userId: "yann", limit: 5 })), ["y1"]);
    assert.deepEqual(ids(await db().listRuns({ userId: "nobody" })), []);
  });

  it("pages with limit and offset, and leaves out state and pending", async () => {
    await seed();
    assert.deepEqual(ids(await db().listRuns({ limit: 2 })), ["w1", "a2"]);
    assert.deepEqual(ids(await db().listRuns({ limit: 2, offset: 2 })), ["b1", "a1"]);
    assert.deepEqual(ids(await db().listRuns({ offset: 3 })), ["a1"]);
    assert.deepEqual(await db().listRuns({ limit: 0 }), []);
    const [first] = await db().listRuns({ kind: "workflow" });
    const workflowRun = makeRecord({ kind: "workflow", runId: "w1", ownerId: "wf", sessionId: "s1", updatedAt: 40 });
    const { state: _state, pending: _pending, ...summary } = workflowRun;
    assert.deepEqual(first, summary);
    assert.ok(first !== undefined);
    assert.equal("state" in first, false);
    assert.equal("pending" in first, false);
    await assert.rejects(db().listRuns({ limit: -1 }), StoreError);
  });

  it("returns at most 100 runs by default, with a stable order on equal times", async () => {
    for (let index = 0; index < 105; index += 1) {
      await db().insertRun(makeRecord({ runId: `run-${String(index).padStart(3, "0")}`, updatedAt: index % 3 }));
    }
    const page = await db().listRuns();
    assert.equal(page.length, 100);
    const rest = await db().listRuns({ offset: 100 });
    assert.equal(new Set([...ids(page), ...ids(rest)]).size, 105);
    assert.deepEqual(ids(page.slice(0, 2)), ["run-002", "run-005"]);
  });
}
