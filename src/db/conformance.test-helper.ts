import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { StoreError } from "../errors.js";
import { registerBatchConformance } from "./conformance-batch.test-helper.js";
import { registerDecisionWriteConformance } from "./conformance-decisions.test-helper.js";
import { registerDecisionListConformance } from "./conformance-decisions-list.test-helper.js";
import { registerGrantConformance } from "./conformance-grants.test-helper.js";
import { registerListRunsConformance } from "./conformance-list.test-helper.js";
import { registerOutboxConformance } from "./conformance-outbox.test-helper.js";
import { registerPendingConformance } from "./conformance-pending.test-helper.js";
import { registerRunEventConformance } from "./conformance-run-events.test-helper.js";
import type { Db, RunRecord } from "./db.js";
import { makeRecord, nextRecord, storeError } from "./records.test-helper.js";

/** Factory for a fresh, empty store and the function that disposes of it. */
export type MakeDb = () => Promise<{ db: Db; cleanup: () => Promise<void> }>;

/**
 * Registers the behaviour every {@link Db} implementation must share as node:test tests. Each test
 * gets a fresh store from `makeDb`.
 *
 * @example
 * runDbConformance("InMemoryDb", async () => ({ db: new InMemoryDb(), cleanup: async () => {} }));
 */
export function runDbConformance(name: string, makeDb: MakeDb): void {
  describe(`${name} conformance`, () => {
    let opened: { db: Db; cleanup: () => Promise<void> } | undefined;
    const db = (): Db => {
      assert.ok(opened, "beforeEach did not open a store");
      return opened.db;
    };
    beforeEach(async () => {
      opened = await makeDb();
    });
    afterEach(async () => {
      await opened?.db.close();
      await opened?.cleanup();
      opened = undefined;
    });

    registerRecordTests(db);
    registerUpdateTests(db);
    registerListRunsConformance(db);
    registerPendingConformance(db);
    registerBatchConformance(db);
    registerDecisionWriteConformance(db);
    registerDecisionListConformance(db);
    registerGrantConformance(db);
    registerOutboxConformance(db);
    registerRunEventConformance(db);
  });
}

function registerRecordTests(db: () => Db): void {
  it("returns exactly what was inserted, every field", async () => {
    const agentRun = makeRecord({
      leaseExpiresAt: 9_000,
      status: "running",
      pending: [
        { requirementId: "req-b", requirementKind: "confirmation", summary: "Send the alert?" },
        { requirementId: "req-a", requirementKind: "userInput", summary: "Which channel?" },
      ],
    });
    const workflowRun = makeRecord({ kind: "workflow", runId: "run-2", userId: null, ownerId: "wf" });
    await db().insertRun(agentRun);
    await db().insertRun(workflowRun);
    assert.deepEqual(await db().getRun("agent", "run-1"), agentRun);
    assert.deepEqual(await db().getRun("workflow", "run-2"), workflowRun);
  });

  it("returns null for a run that is not stored, or stored under the other kind", async () => {
    await db().insertRun(makeRecord());
    assert.equal(await db().getRun("agent", "missing"), null);
    assert.equal(await db().getRun("workflow", "run-1"), null);
  });

  it("refuses a second insert of the same kind and id, keeping the original", async () => {
    const original = makeRecord({ pending: [{ requirementId: "r", requirementKind: "confirmation", summary: "ok?" }] });
    await db().insertRun(original);
    await assert.rejects(
      db().insertRun(makeRecord({ state: "{}", ownerId: "other", pending: [] })),
      storeError("already stored"),
    );
    assert.deepEqual(await db().getRun("agent", "run-1"), original);
    assert.equal((await db().listPendingRequirements()).length, 1);
  });

  it("keeps an agent run and a workflow run with the same id apart", async () => {
    const agentRun = makeRecord({ state: '{"who":"agent"}' });
    const workflowRun = makeRecord({ kind: "workflow", ownerId: "wf", state: '{"who":"workflow"}' });
    await db().insertRun(agentRun);
    await db().insertRun(workflowRun);
    assert.equal(await db().updateRun(nextRecord(workflowRun, { state: '{"who":"wf2"}' }), 1), true);
    assert.deepEqual(await db().getRun("agent", "run-1"), agentRun);
    assert.equal((await db().getRun("workflow", "run-1"))?.state, '{"who":"wf2"}');
    assert.equal((await db().listRuns()).length, 2);
  });

  it("never shares objects with callers", async () => {
    const record = makeRecord({ pending: [{ requirementId: "r1", requirementKind: "confirmation", summary: "ok?" }] });
    const expected = structuredClone(record);
    await db().insertRun(record);
    record.state = "changed";
    for (const entry of record.pending) entry.summary = "changed";
    record.pending.push({ requirementId: "r2", requirementKind: "confirmation", summary: "x" });
    const loaded = await db().getRun("agent", "run-1");
    assert.deepEqual(loaded, expected);
    assert.ok(loaded !== null);
    for (const entry of loaded.pending) entry.summary = "changed";
    loaded.pending.pop();
    loaded.status = "error";
    for (const summary of await db().listRuns()) summary.status = "error";
    for (const row of await db().listPendingRequirements()) row.summary = "changed";
    assert.deepEqual(await db().getRun("agent", "run-1"), expected);

    const update = nextRecord(expected, {
      pending: [{ requirementId: "r3", requirementKind: "userInput", summary: "y" }],
    });
    const updateCopy = structuredClone(update);
    assert.equal(await db().updateRun(update, 1), true);
    for (const entry of update.pending) entry.summary = "changed";
    update.pending.length = 0;
    assert.deepEqual(await db().getRun("agent", "run-1"), updateCopy);
  });

  it("refuses a pending list that names one requirement twice", async () => {
    const twice = [
      { requirementId: "r", requirementKind: "confirmation", summary: "a" },
      { requirementId: "r", requirementKind: "confirmation", summary: "b" },
    ];
    await assert.rejects(db().insertRun(makeRecord({ pending: twice })), storeError("twice"));
    assert.equal(await db().getRun("agent", "run-1"), null);
    const stored = makeRecord();
    await db().insertRun(stored);
    await assert.rejects(db().updateRun(nextRecord(stored, { pending: twice }), 1), storeError("twice"));
    assert.deepEqual(await db().getRun("agent", "run-1"), stored);
  });

  it("refuses every call after close()", async () => {
    await db().close();
    await assert.rejects(db().getRun("agent", "run-1"), StoreError);
    await assert.rejects(db().insertRun(makeRecord()), StoreError);
    await db().close();
  });
}

function registerUpdateTests(db: () => Db): void {
  it("compare-and-sets on the revision, which grows by one per write", async () => {
    const first = makeRecord();
    await db().insertRun(first);
    const second = nextRecord(first, {
      status: "running",
      updatedAt: 2_000,
      leaseExpiresAt: 5_000,
      state: '{"step":1}',
    });
    assert.equal(await db().updateRun(second, 1), true);
    assert.deepEqual(await db().getRun("agent", "run-1"), second);
    const third = nextRecord(second, { status: "completed", updatedAt: 3_000, leaseExpiresAt: null });
    assert.equal(await db().updateRun(third, 2), true);
    assert.deepEqual(await db().getRun("agent", "run-1"), third);
  });

  it("returns false and changes nothing when the revision is stale", async () => {
    const pending = [{ requirementId: "r1", requirementKind: "confirmation", summary: "ok?" }];
    const stored = nextRecord(makeRecord({ pending }));
    await db().insertRun(stored);
    const inboxBefore = await db().listPendingRequirements();
    const stale = nextRecord(makeRecord(), { state: "stale", pending: [], status: "running" });
    assert.equal(await db().updateRun(stale, 1), false);
    assert.deepEqual(await db().getRun("agent", "run-1"), stored);
    assert.deepEqual(await db().listPendingRequirements(), inboxBefore);
    assert.equal(await db().updateRun(nextRecord(makeRecord({ runId: "missing" })), 1), false);
    assert.equal(await db().getRun("agent", "missing"), null);
  });

  it("refuses a record whose revision is not expectedRevision + 1", async () => {
    const stored = makeRecord();
    await db().insertRun(stored);
    await assert.rejects(db().updateRun({ ...stored, state: "x" }, 1), storeError("expectedRevision + 1"));
    await assert.rejects(db().updateRun(nextRecord(stored, { revision: 5 }), 1), storeError("expectedRevision + 1"));
    assert.deepEqual(await db().getRun("agent", "run-1"), stored);
  });

  it("refuses an update that changes a run's session, owner, user or creation time", async () => {
    const pending = [{ requirementId: "r1", requirementKind: "confirmation", summary: "ok?" }];
    const stored = makeRecord({ pending });
    await db().insertRun(stored);
    const changes: Array<[Partial<RunRecord>, string]> = [
      [{ sessionId: "session-2" }, 'sessionId "session-1" -> "session-2"'],
      [{ ownerId: "agent-b" }, 'ownerId "agent-a" -> "agent-b"'],
      [{ userId: null }, 'userId "user-1" -> null'],
      [{ createdAt: 2_000 }, "createdAt 1000 -> 2000"],
    ];
    for (const [change, described] of changes) {
      await assert.rejects(
        db().updateRun(nextRecord(stored, { ...change, state: "changed", pending: [] }), 1),
        storeError(described),
      );
    }
    assert.deepEqual(await db().getRun("agent", "run-1"), stored);
    assert.equal((await db().listPendingRequirements()).length, 1);
    // A null userId stays comparable: a run stored without a user updates normally.
    const anonymous = makeRecord({ runId: "run-2", userId: null });
    await db().insertRun(anonymous);
    assert.equal(await db().updateRun(nextRecord(anonymous, { state: "next" }), 1), true);
  });

  it("renews the lease of a running run at its revision, and of nothing else", async () => {
    const running = makeRecord({ status: "running", leaseExpiresAt: 5_000, updatedAt: 2_000 });
    await db().insertRun(running);
    assert.equal(await db().renewLease("agent", "run-1", 1, 9_000), true);
    const renewed = { ...running, revision: 2, leaseExpiresAt: 9_000 };
    assert.deepEqual(await db().getRun("agent", "run-1"), renewed, "only the lease and the revision change");
    assert.equal(await db().renewLease("agent", "run-1", 1, 12_000), false, "a stale revision renews nothing");
    assert.equal(await db().renewLease("workflow", "run-1", 2, 12_000), false, "the other kind is another run");
    assert.equal(await db().renewLease("agent", "missing", 1, 12_000), false);
    // A run someone else moved on (paused by recover(), say) is no longer the caller's to renew.
    assert.equal(await db().updateRun(nextRecord(renewed, { status: "paused", leaseExpiresAt: null }), 2), true);
    assert.equal(await db().renewLease("agent", "run-1", 3, 12_000), false);
    assert.equal((await db().getRun("agent", "run-1"))?.leaseExpiresAt, null);
    // The holder's next compare-and-set after a renewal uses the renewed revision.
    await db().insertRun(makeRecord({ runId: "run-2", status: "running", leaseExpiresAt: 5_000 }));
    assert.equal(await db().renewLease("agent", "run-2", 1, 9_000), true);
    assert.equal(
      await db().updateRun(nextRecord(makeRecord({ runId: "run-2", status: "running" }), { status: "completed" }), 1),
      false,
    );
    assert.equal(await db().updateRun(makeRecord({ runId: "run-2", revision: 3, status: "completed" }), 2), true);
    await assert.rejects(db().renewLease("agent", "run-2", 0.5, 9_000), storeError("renewLease()"));
  });

  it("lets exactly one of 20 concurrent updates with the same revision win", async () => {
    const stored = makeRecord();
    await db().insertRun(stored);
    const attempts = Array.from({ length: 20 }, (_, index) =>
      nextRecord(stored, { status: "running", state: `{"winner":${index}}` }),
    );
    const results = await Promise.all(attempts.map((attempt) => db().updateRun(attempt, 1)));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = attempts[results.indexOf(true)];
    assert.deepEqual(await db().getRun("agent", "run-1"), winner);
  });
}
