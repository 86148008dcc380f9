import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, OutboxEntry } from "./db.js";
import { makeDecision, makeRecord, nextRecord } from "./records.test-helper.js";

const PAUSED = makeRecord({
  pending: [{ requirementId: "req-1", requirementKind: "confirmation", summary: "Send the alert to Tokyo?" }],
});

function keys(entries: OutboxEntry[]): string[] {
  return entries.map((entry) => entry.key);
}

/**
 * What every store must do with the outbox: enqueue the events of what a write stores in its
 * transaction (a pending requirement once, however often it is stored again; each decision entry),
 * claim an entry for one claimant at a time, and keep each claimant's outcome.
 */
export function registerOutboxConformance(db: () => Db): void {
  it("a stored pause and its decision enqueue one event each, with what they report", async () => {
    await db().insertRun(PAUSED);
    // Stored again with the same pending row (an escalation, a reminder): no second pause event.
    assert.equal(await db().updateRun(nextRecord(PAUSED, { updatedAt: 1_500 }), 1), true);
    const decided = nextRecord(PAUSED, { revision: 3, status: "running", pending: [], updatedAt: 2_000 });
    const escalation = makeDecision({ decision: '{"type":"escalate","to":["leads"],"level":1}', automatic: true });
    const entry = makeDecision({ seq: 2, decision: '{"type":"confirm"}', decidedAt: 2_500 });
    assert.equal(
      await db().writeRuns([{ record: decided, expectedRevision: 2, decisions: [escalation, entry] }]),
      true,
    );
    const outbox = await db().listOutbox();
    assert.deepEqual(
      outbox.map(({ type, key, createdAt }) => ({ type, key, createdAt })),
      [
        { type: "requirement.paused", key: "agent:run-1:req-1:requirement.paused", createdAt: 1_000 },
        { type: "requirement.escalated", key: "agent:run-1:req-1:requirement.escalated:1", createdAt: 2_000 },
        { type: "requirement.decided", key: "agent:run-1:req-1:requirement.decided", createdAt: 2_500 },
      ],
    );
    const [paused, , confirmed] = outbox;
    assert.deepEqual(
      { ...paused, data: JSON.parse(paused?.data ?? "null") },
      {
        key: "agent:run-1:req-1:requirement.paused",
        type: "requirement.paused",
        kind: "agent",
        runId: "run-1",
        sessionId: "session-1",
        ownerId: "agent-a",
        requirementId: "req-1",
        data: { requirementKind: "confirmation", summary: "Send the alert to Tokyo?" },
        createdAt: 1_000,
        attempts: 0,
        nextAttemptAt: 1_000,
        deliveredTo: [],
        deliveredAt: null,
        lastError: null,
        leaseExpiresAt: null,
      },
    );
    const data: unknown = JSON.parse(confirmed?.data ?? "null");
    assert.deepEqual(data, {
      seq: 2,
      gateKind: "confirmation",
      decision: { type: "confirm" },
      actorId: "user-1",
      actorRoles: ["approver"],
      automatic: false,
      decidedAt: new Date(2_500).toISOString(),
      linkId: null,
    });
  });

  it("a write that fails enqueues nothing", async () => {
    await db().insertRun(makeRecord());
    const stale = nextRecord(PAUSED, { revision: 5 });
    assert.equal(await db().writeRuns([{ record: stale, expectedRevision: 4, decisions: [makeDecision()] }]), false);
    assert.deepEqual(await db().listOutbox(), []);
  });

  it("claimOutbox() gives each due entry to one claimant until its lease lapses", async () => {
    await db().insertRun(PAUSED);
    await db().insertRun(makeRecord({ ...PAUSED, runId: "run-2", updatedAt: 1_100 }));
    const first = await db().claimOutbox({ token: "a", now: 1_200, leaseMs: 1_000, limit: 1 });
    assert.deepEqual(keys(first), ["agent:run-1:req-1:requirement.paused"]);
    assert.equal(first[0]?.leaseExpiresAt, 2_200);
    const second = await db().claimOutbox({ token: "b", now: 1_300, leaseMs: 1_000, limit: 10 });
    assert.deepEqual(keys(second), ["agent:run-2:req-1:requirement.paused"]);
    assert.deepEqual(await db().claimOutbox({ token: "c", now: 2_199, leaseMs: 1_000, limit: 10 }), []);
    // Claimant a stopped renewing: after its lease another takes the entry, and a's outcome is refused.
    const taken = await db().claimOutbox({ token: "c", now: 2_200, leaseMs: 1_000, limit: 10 });
    assert.deepEqual(keys(taken), ["agent:run-1:req-1:requirement.paused"]);
    const outcome = { attempts: 1, nextAttemptAt: 2_200, deliveredTo: ["hook"], deliveredAt: 2_300, lastError: null };
    assert.equal(await db().settleOutbox("agent:run-1:req-1:requirement.paused", "a", outcome), false);
    assert.equal(await db().settleOutbox("agent:run-1:req-1:requirement.paused", "c", outcome), true);
    assert.equal(await db().settleOutbox("agent:run-1:req-1:requirement.paused", "c", outcome), false);
    const [settled] = await db().listOutbox({ limit: 1 });
    assert.deepEqual(settled && { ...settled, data: "" }, { ...first[0], data: "", ...outcome, leaseExpiresAt: null });
    // Delivered entries are never claimed again, and are left out of the undelivered listing.
    assert.deepEqual(await db().claimOutbox({ token: "d", now: 99_000, leaseMs: 1_000, limit: 10 }).then(keys), [
      "agent:run-2:req-1:requirement.paused",
    ]);
    assert.deepEqual(keys(await db().listOutbox({ undelivered: true })), ["agent:run-2:req-1:requirement.paused"]);
  });

  it("a failed attempt waits for its next attempt time, and listOutbox() pages", async () => {
    await db().insertRun(PAUSED);
    await db().insertRun(makeRecord({ ...PAUSED, kind: "workflow", ownerId: "wf", updatedAt: 1_000 }));
    const [entry] = await db().claimOutbox({ token: "a", now: 1_000, leaseMs: 500, limit: 1 });
    assert.equal(entry?.kind, "agent");
    const retry = { attempts: 1, nextAttemptAt: 5_000, deliveredTo: [], deliveredAt: null, lastError: "HTTP 500" };
    assert.equal(await db().settleOutbox(entry?.key ?? "", "a", retry), true);
    const due = await db().claimOutbox({ token: "b", now: 4_999, leaseMs: 500, limit: 10 });
    assert.deepEqual(keys(due), ["workflow:run-1:req-1:requirement.paused"]);
    const again = await db().claimOutbox({ token: "c", now: 5_000, leaseMs: 500, limit: 10 });
    assert.deepEqual(
      again.map(({ key, attempts, lastError }) => ({ key, attempts, lastError })),
      [{ key: "agent:run-1:req-1:requirement.paused", attempts: 1, lastError: "HTTP 500" }],
    );
    const [page] = await db().listOutbox({ limit: 1 });
    assert.ok(page);
    assert.deepEqual(keys(await db().listOutbox({ after: page })), ["workflow:run-1:req-1:requirement.paused"]);
  });

  it("pruneOutbox() deletes delivered events that cannot come back, and keeps a still-paused run's pause", async () => {
    const delivered = async (token: string, now: number): Promise<void> => {
      for (const entry of await db().claimOutbox({ token, now, leaseMs: 1_000, limit: 100 }))
        await db().settleOutbox(entry.key, token, {
          attempts: 1,
          nextAttemptAt: now,
          deliveredTo: ["hook"],
          deliveredAt: now,
          lastError: null,
        });
    };
    await db().insertRun(PAUSED); // run-1 stays paused on req-1
    const done = makeRecord({ ...PAUSED, runId: "run-2", updatedAt: 1_100 });
    await db().insertRun(done);
    const completed = nextRecord(done, { status: "completed", pending: [], updatedAt: 1_200 });
    assert.equal(
      await db().writeRuns([
        { record: completed, expectedRevision: 1, decisions: [makeDecision({ runId: "run-2", decidedAt: 1_200 })] },
      ]),
      true,
    );
    await delivered("a", 2_000);
    await db().insertRun(makeRecord({ ...PAUSED, runId: "run-3", updatedAt: 3_000 })); // not delivered yet
    await assert.rejects(db().pruneOutbox({ deliveredBefore: 1.5 }), { name: "StoreError" });
    assert.equal(await db().pruneOutbox({ deliveredBefore: 2_000 }), 0, "delivered at 2 000: not before it");
    assert.equal(await db().pruneOutbox({ deliveredBefore: 2_001, limit: 1 }), 1);
    assert.equal(await db().pruneOutbox({ deliveredBefore: 2_001 }), 1);
    assert.deepEqual(keys(await db().listOutbox()), [
      "agent:run-1:req-1:requirement.paused",
      "agent:run-3:req-1:requirement.paused",
    ]);
    // Stored again while paused: the kept pause event is not enqueued a second time.
    assert.equal(await db().updateRun(nextRecord(PAUSED, { updatedAt: 4_000 }), 1), true);
    assert.equal((await db().listOutbox()).length, 2);
  });
}
