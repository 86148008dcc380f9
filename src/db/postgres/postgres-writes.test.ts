import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import pg from "pg";
import { requirePrerequisite } from "../../../scripts/test-prerequisites.mjs";
import { makeGrant } from "../conformance-grants.test-helper.js";
import type { RunRecord } from "../db.js";
import { makeDecision, makeRecord, nextRecord } from "../records.test-helper.js";
import { PostgresDb } from "./index.js";
import { TRANSACTION_ATTEMPTS, withRetriedTransaction } from "./transaction.js";

const dbUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
const skip = requirePrerequisite("postgres");

/**
 * A pool whose every query is counted: each client.query() call is one round trip to the server
 * (pg sends a query only after the previous one was answered), whether the pool or kern made it.
 */
function countingPool(): { pool: pg.Pool; sent: string[] } {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const sent: string[] = [];
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        const [config] = args;
        const text = typeof config === "string" ? config : (config as { text?: string } | undefined)?.text;
        sent.push((text ?? "").replace(/\s+/g, " ").slice(0, 60));
        return query(...args);
      },
    });
  });
  return { pool, sent };
}

/** Asserts `sent` is BEGIN (with SET LOCAL), one statement, then `end`: three round trips. */
function assertOneStatement(sent: readonly string[], end: "COMMIT" | "ROLLBACK"): void {
  assert.equal(sent.length, 3, sent.join("\n"));
  assert.match(sent[0] ?? "", /^BEGIN; SET LOCAL statement_timeout/);
  assert.equal(sent[2], end);
}

const pending = [
  { requirementId: "r1", requirementKind: "confirmation", summary: "Send it?" },
  { requirementId: "r2", requirementKind: "input", summary: "Which channel?" },
];

describe("PostgresDb round trips per durable write", { skip }, () => {
  let schema = "";
  let counted: { pool: pg.Pool; sent: string[] } | undefined;
  let db: PostgresDb | undefined;
  const open = (): { db: PostgresDb; sent: string[] } => {
    assert.ok(db !== undefined && counted !== undefined);
    return { db, sent: counted.sent };
  };
  /** The round trips `write` costs, after the store was migrated and its pool warmed. */
  const roundTrips = async (write: () => Promise<unknown>): Promise<string[]> => {
    const { sent } = open();
    sent.length = 0;
    await write();
    return sent.splice(0);
  };

  beforeEach(async () => {
    schema = `kern_test_${randomBytes(6).toString("hex")}`;
    counted = countingPool();
    db = new PostgresDb({ pool: counted.pool, schema });
    await db.migrate();
  });
  afterEach(async () => {
    await db?.close();
    await counted?.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await counted?.pool.end();
  });

  it("inserts a paused run with its session, pending rows and pause events in 3 round trips", async () => {
    const record = makeRecord({ pending });
    const sent = await roundTrips(() => open().db.insertRun(record));
    assertOneStatement(sent, "COMMIT");
    assert.deepEqual(await open().db.getRun("agent", "run-1"), record);
    assert.equal((await open().db.listOutbox()).length, 2);
  });

  it("updates a run, keeping one pending row and dropping one, in 3 round trips", async () => {
    const record = makeRecord({ pending });
    await open().db.insertRun(record);
    const next = nextRecord(record, { pending: [pending[1] as (typeof pending)[number]], updatedAt: 2_000 });
    const sent = await roundTrips(() => open().db.updateRun(next, 1));
    assertOneStatement(sent, "COMMIT");
    assert.deepEqual(await open().db.getRun("agent", "run-1"), next);
  });

  it("claims a workflow run and its agent run with a decision, a grant and pending rows in 3 round trips", async () => {
    const workflow = makeRecord({ kind: "workflow", runId: "w1", ownerId: "wf", pending });
    const agent = makeRecord({ runId: "a1", pending: [] });
    await open().db.writeRuns([
      { record: workflow, expectedRevision: null },
      { record: agent, expectedRevision: null },
    ]);
    const claimedWorkflow: RunRecord = nextRecord(workflow, { status: "running", pending: pending.slice(1) });
    const claimedAgent: RunRecord = nextRecord(agent, { status: "running", leaseExpiresAt: 9_000 });
    const decision = makeDecision({ kind: "workflow", runId: "w1", requirementId: "r1" });
    const sent = await roundTrips(() =>
      open().db.writeRuns([
        { record: claimedWorkflow, expectedRevision: 1, decisions: [decision], grants: [makeGrant()] },
        { record: claimedAgent, expectedRevision: 1 },
      ]),
    );
    assertOneStatement(sent, "COMMIT");
    assert.deepEqual(await open().db.getRun("workflow", "w1"), claimedWorkflow);
    assert.deepEqual(await open().db.getRun("agent", "a1"), claimedAgent);
    assert.deepEqual(await open().db.listDecisions(), [decision]);
    assert.deepEqual(await open().db.getGrant("grant-1"), makeGrant());
  });

  it("answers a stale update with false, and a changed fixed field with StoreError, in 3 round trips each", async () => {
    const record = makeRecord({ pending });
    await open().db.insertRun(record);
    // The statement itself returns what tells a stale revision from a changed fixed field.
    let sent = await roundTrips(async () => {
      assert.equal(await open().db.updateRun(nextRecord(record, { revision: 3 }), 2), false);
    });
    assertOneStatement(sent, "ROLLBACK");
    sent = await roundTrips(() =>
      assert.rejects(open().db.updateRun(nextRecord(record, { ownerId: "other" }), 1), /ownerId "agent-a" -> "other"/),
    );
    assertOneStatement(sent, "ROLLBACK");
    assert.deepEqual(await open().db.getRun("agent", "run-1"), record);
  });

  it("leaves a pending row and a session row that did not change as they are", async () => {
    const record = makeRecord({ pending, updatedAt: 5_000 });
    await open().db.insertRun(record);
    const versions = async (): Promise<unknown[]> =>
      (
        await counted?.pool.query(
          `SELECT requirement_id, xmin::text AS version FROM "${schema}".kern_pending_requirements ` +
            `UNION ALL SELECT session_id, xmin::text FROM "${schema}".kern_sessions ORDER BY 1`,
        )
      )?.rows ?? [];
    const before = await versions();
    const changed = [pending[0], { ...(pending[1] as (typeof pending)[number]), summary: "Which room?" }];
    const next = nextRecord(record, { pending: changed as typeof pending, updatedAt: 6_000 });
    await open().db.updateRun(next, 1);
    // An older run of the same session changes neither the session's user nor its updated_at.
    await open().db.insertRun(makeRecord({ runId: "run-2", updatedAt: 4_000 }));
    const after = await versions();
    assert.deepEqual(after[0], before[0], "r1 kept its row version");
    assert.notDeepEqual(after[1], before[1], "r2's summary was rewritten");
    assert.deepEqual(after[2], before[2], "the session row kept its version");
    const inbox = await open().db.listPendingRequirements();
    assert.deepEqual(
      inbox.map((row) => [row.requirementId, row.summary, row.createdAt]),
      [
        ["r1", "Send it?", 5_000],
        ["r2", "Which room?", 5_000],
      ],
    );
  });
});

describe("withRetriedTransaction", { skip }, () => {
  const deadlock = (): Error => Object.assign(new Error("deadlock detected"), { code: "40P01" });

  it("runs a transaction PostgreSQL aborted for a deadlock or serialization failure again, a bounded number of times", async () => {
    const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    try {
      let calls = 0;
      const second = await withRetriedTransaction(pool, 1_000, async (client) => {
        calls += 1;
        await client.query("SELECT 1");
        if (calls === 1) throw Object.assign(new Error("could not serialize access"), { code: "40001" });
        return calls;
      });
      assert.equal(second, 2);
      calls = 0;
      await assert.rejects(
        withRetriedTransaction(pool, 1_000, async () => {
          calls += 1;
          throw deadlock();
        }),
        /deadlock detected/,
      );
      assert.equal(calls, TRANSACTION_ATTEMPTS);
      calls = 0;
      await assert.rejects(
        withRetriedTransaction(pool, 1_000, async () => {
          calls += 1;
          throw Object.assign(new Error("duplicate key"), { code: "23505" });
        }),
        /duplicate key/,
      );
      assert.equal(calls, 1, "any other error is thrown at once");
    } finally {
      await pool.end();
    }
  });
});
