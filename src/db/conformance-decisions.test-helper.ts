import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, DecisionRecord, RunRecord } from "./db.js";
import { makeDecision, makeRecord, nextRecord, storeError } from "./records.test-helper.js";

const pending = [{ requirementId: "req-1", requirementKind: "confirmation", summary: "Send it?" }];

/** A paused run with one pending requirement, stored; the claim that decides it is `nextRecord`. */
async function storePaused(db: Db, overrides: Partial<RunRecord> = {}): Promise<RunRecord> {
  const record = makeRecord({ pending, ...overrides });
  await db.insertRun(record);
  return record;
}

/** The claim that acts on the decisions: paused -> running, the pending list emptied. */
function claim(record: RunRecord): RunRecord {
  return nextRecord(record, { status: "running", leaseExpiresAt: 9_000, updatedAt: 2_000, pending: [] });
}

/** What every store must do with decision entries: appended with writeRuns(), all or nothing. */
export function registerDecisionWriteConformance(db: () => Db): void {
  it("writeRuns() appends decision entries with the claim, listed exactly as given", async () => {
    const paused = await storePaused(db());
    const first = makeDecision();
    const second = makeDecision({
      seq: 2,
      requirementId: "req-2",
      gateKind: "userInput",
      decision: '{"type":"input","values":{"channel":"#ops ✓"}}',
      actorId: "kern:timeout",
      actorRoles: [],
      automatic: true,
      decidedAt: 2_500,
      linkId: "link-7",
      prevHash: first.hash,
      hash: "e".repeat(64),
    });
    const claimed = claim(paused);
    assert.equal(await db().writeRuns([{ record: claimed, expectedRevision: 1, decisions: [first, second] }]), true);
    assert.deepEqual(await db().getRun("agent", "run-1"), claimed);
    assert.deepEqual(await db().listDecisions(), [first, second]);
    // The key is (kind, runId, seq): a workflow run with the same id has entries of its own.
    const workflowEntry = makeDecision({ kind: "workflow", gateKind: "route", decision: '{"route":"b"}' });
    const workflow = makeRecord({ kind: "workflow", ownerId: "wf" });
    assert.equal(
      await db().writeRuns([{ record: workflow, expectedRevision: null, decisions: [workflowEntry] }]),
      true,
    );
    const third = makeDecision({ seq: 3, decidedAt: 3_000, prevHash: second.hash });
    assert.equal(
      await db().writeRuns([
        { record: nextRecord(claimed, { status: "paused" }), expectedRevision: 2, decisions: [third] },
      ]),
      true,
    );
    assert.deepEqual(await db().listDecisions(), [first, workflowEntry, second, third]);
    assert.equal(
      await db().writeRuns([{ record: makeRecord({ runId: "run-2" }), expectedRevision: null, decisions: [] }]),
      true,
    );
  });

  it("writeRuns() stores no entry when an update's revision is stale", async () => {
    const paused = await storePaused(db());
    const other = makeRecord({ runId: "run-2" });
    const won = await db().writeRuns([
      { record: other, expectedRevision: null, decisions: [makeDecision({ runId: "run-2" })] },
      { record: nextRecord(claim(paused), { revision: 3 }), expectedRevision: 2, decisions: [makeDecision()] },
    ]);
    assert.equal(won, false);
    assert.deepEqual(await db().listDecisions(), []);
    assert.deepEqual(await db().getRun("agent", "run-1"), paused);
    assert.equal(await db().getRun("agent", "run-2"), null);
  });

  it("writeRuns() throws StoreError on an entry stored already, changing no run and no entry", async () => {
    const paused = await storePaused(db());
    const stored = makeDecision();
    const claimed = claim(paused);
    assert.equal(await db().writeRuns([{ record: claimed, expectedRevision: 1, decisions: [stored] }]), true);
    const again = makeDecision({ decision: '{"type":"reject"}', actorId: "someone-else", hash: "f".repeat(64) });
    await assert.rejects(
      db().writeRuns([
        {
          record: makeRecord({ runId: "run-2" }),
          expectedRevision: null,
          decisions: [makeDecision({ runId: "run-2" })],
        },
        {
          record: nextRecord(claimed, { status: "completed", leaseExpiresAt: null }),
          expectedRevision: 2,
          decisions: [makeDecision({ seq: 2 }), again],
        },
      ]),
      storeError("stored already"),
    );
    assert.deepEqual(await db().getRun("agent", "run-1"), claimed);
    assert.equal(await db().getRun("agent", "run-2"), null);
    assert.deepEqual(await db().listDecisions(), [stored]);
    // One batch that holds the same entry twice is refused before anything is written.
    await assert.rejects(
      db().writeRuns([{ record: makeRecord({ runId: "run-3" }), expectedRevision: null, decisions: [again, again] }]),
      storeError("twice"),
    );
    assert.equal(await db().getRun("agent", "run-3"), null);
    assert.deepEqual(await db().listDecisions(), [stored]);
  });

  it("writeRuns() throws on an insert of an existing run and stores none of the batch's entries", async () => {
    const existing = await storePaused(db());
    await assert.rejects(
      db().writeRuns([
        {
          record: makeRecord({ runId: "run-2" }),
          expectedRevision: null,
          decisions: [makeDecision({ runId: "run-2" })],
        },
        { record: { ...existing, state: "again" }, expectedRevision: null, decisions: [makeDecision()] },
      ]),
      storeError("already stored"),
    );
    assert.deepEqual(await db().listDecisions(), []);
    assert.deepEqual(await db().getRun("agent", "run-1"), existing);
    assert.equal(await db().getRun("agent", "run-2"), null);
  });

  it("writeRuns() refuses a malformed entry with StoreError, storing nothing", async () => {
    const paused = await storePaused(db());
    const malformed: Array<[Record<string, unknown>, string]> = [
      [{ seq: 0 }, "seq"],
      [{ seq: 1.5 }, "seq"],
      [{ kind: "robot" }, "kind"],
      [{ runId: "" }, "runId"],
      [{ actorId: "" }, "actorId"],
      [{ hash: "" }, "hash"],
      [{ decidedAt: Number.NaN }, "decidedAt"],
      [{ actorRoles: "approver" }, "actorRoles"],
      [{ actorRoles: [1] }, "actorRoles"],
      [{ automatic: "yes" }, "automatic"],
      [{ linkId: "" }, "linkId"],
      [{ prevHash: 7 }, "prevHash"],
    ];
    for (const [change, field] of malformed) {
      const entry = { ...makeDecision(), ...change } as unknown as DecisionRecord;
      await assert.rejects(
        db().writeRuns([{ record: claim(paused), expectedRevision: 1, decisions: [entry] }]),
        (error: unknown) => storeError(field)(error) && storeError("Nothing was stored")(error),
        `an entry with ${JSON.stringify(change)} is refused`,
      );
    }
    assert.deepEqual(await db().getRun("agent", "run-1"), paused);
    assert.deepEqual(await db().listDecisions(), []);
  });

  it("never shares decision entries with callers", async () => {
    const paused = await storePaused(db());
    const entry = makeDecision({ actorRoles: ["approver", "admin"] });
    const expected = structuredClone(entry);
    assert.equal(await db().writeRuns([{ record: claim(paused), expectedRevision: 1, decisions: [entry] }]), true);
    entry.actorRoles.push("intruder");
    entry.decision = "changed";
    const [listed] = await db().listDecisions();
    assert.deepEqual(listed, expected);
    assert.ok(listed !== undefined);
    listed.actorRoles.length = 0;
    listed.linkId = "changed";
    listed.automatic = true;
    assert.deepEqual(await db().listDecisions(), [expected]);
  });
}
