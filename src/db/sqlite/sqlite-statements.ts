import type Database from "better-sqlite3";
import { StoreError } from "../../errors.js";
import type {
  PendingFilter,
  PendingRequirementRow,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "../db.js";
import { batchGrants } from "../grants.js";
import { decisionEvents, pauseEvents } from "../outbox.js";
import { pendingRowOf } from "../pending-rows.js";
import { alreadyStoredMessage, batchDecisions, changedFixedFieldMessage, type FixedFields } from "../record-checks.js";
import { type RowSource, readPackedPending, readPendingRow, readRunRow, readSummaryRow } from "../row-reader.js";
import { SqliteDecisions } from "./sqlite-decisions.js";
import { SqliteGrants } from "./sqlite-grants.js";
import { SqliteOutbox } from "./sqlite-outbox.js";
import { SqliteRunEvents } from "./sqlite-run-events.js";
import { Where } from "./sqlite-where.js";

type Statement = Database.Statement<unknown[], unknown>;
type Row = Record<string, unknown>;

const RUNS: RowSource = {
  table: "kern_runs",
  hint: "the file may have been changed by hand or by an incompatible program",
};
const PENDING: RowSource = { ...RUNS, table: "kern_pending_requirements" };

const SUMMARY_COLUMNS =
  "kind, run_id AS runId, session_id AS sessionId, user_id AS userId, owner_id AS ownerId, " +
  "status, revision, created_at AS createdAt, updated_at AS updatedAt, " +
  "lease_expires_at AS leaseExpiresAt";

const PENDING_COLUMNS =
  "kind, run_id AS runId, requirement_id AS requirementId, requirement_kind AS requirementKind, " +
  "summary, session_id AS sessionId, owner_id AS ownerId, created_at AS createdAt";

// Inserts bind a record by name as it is (better-sqlite3 ignores the extra `pending` key); the
// update binds by position, which is cheaper than building a parameter object for it.
const SQL = {
  // One statement, so the run and its pending list come from the same snapshot without a
  // transaction around two reads.
  selectRun:
    `SELECT ${SUMMARY_COLUMNS}, state, (SELECT json_group_array(json_array(p.requirement_id, ` +
    "p.requirement_kind, p.summary) ORDER BY p.position) FROM kern_pending_requirements p " +
    "WHERE p.kind = r.kind AND p.run_id = r.run_id) AS pending " +
    "FROM kern_runs r WHERE kind = ? AND run_id = ?",
  // A second run of a session rewrites the session row only when it changes the user or time.
  upsertSession:
    "INSERT INTO kern_sessions (session_id, user_id, created_at, updated_at) " +
    "VALUES (@sessionId, @userId, @createdAt, @updatedAt) " +
    "ON CONFLICT (session_id) DO UPDATE SET " +
    "user_id = COALESCE(kern_sessions.user_id, excluded.user_id), " +
    "updated_at = MAX(kern_sessions.updated_at, excluded.updated_at) " +
    "WHERE (kern_sessions.user_id IS NULL AND excluded.user_id IS NOT NULL) " +
    "OR kern_sessions.updated_at < excluded.updated_at",
  insertRun:
    "INSERT INTO kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, " +
    "created_at, updated_at, lease_expires_at, state) VALUES (@kind, @runId, @sessionId, " +
    "@userId, @ownerId, @status, @revision, @createdAt, @updatedAt, @leaseExpiresAt, @state) " +
    "ON CONFLICT (kind, run_id) DO NOTHING",
  // Only what a run's life changes is written: SQLite maintains an index whenever the SET list
  // names one of its columns, even to the same value. The fixed fields are compared instead.
  updateRun:
    "UPDATE kern_runs SET status = ?, revision = ?, updated_at = ?, lease_expires_at = ?, state = ? " +
    "WHERE kind = ? AND run_id = ? AND revision = ? AND session_id = ? AND owner_id = ? " +
    "AND created_at = ? AND user_id IS ?",
  renewLease:
    "UPDATE kern_runs SET revision = revision + 1, lease_expires_at = ? " +
    "WHERE kind = ? AND run_id = ? AND revision = ? AND status = 'running'",
  selectFixed:
    "SELECT revision, session_id AS sessionId, owner_id AS ownerId, created_at AS createdAt, " +
    "user_id AS userId FROM kern_runs WHERE kind = ? AND run_id = ?",
  deleteAllPending: "DELETE FROM kern_pending_requirements WHERE kind = ? AND run_id = ?",
  deleteStalePending:
    "DELETE FROM kern_pending_requirements WHERE kind = ? AND run_id = ? " +
    "AND requirement_id NOT IN (SELECT value FROM json_each(?))",
  // A requirement that stays pending keeps its created_at; its session and owner are the run's,
  // which never change. A row whose position, kind and summary are unchanged is not rewritten
  // (changes = 0), which also tells #writePending that its pause event is enqueued already.
  upsertPending:
    "INSERT INTO kern_pending_requirements (kind, run_id, requirement_id, position, session_id, " +
    "owner_id, requirement_kind, summary, created_at) VALUES (@kind, @runId, @requirementId, " +
    "@position, @sessionId, @ownerId, @requirementKind, @summary, @createdAt) " +
    "ON CONFLICT (kind, run_id, requirement_id) DO UPDATE SET position = excluded.position, " +
    "requirement_kind = excluded.requirement_kind, summary = excluded.summary " +
    "WHERE kern_pending_requirements.position IS NOT excluded.position " +
    "OR kern_pending_requirements.requirement_kind IS NOT excluded.requirement_kind " +
    "OR kern_pending_requirements.summary IS NOT excluded.summary",
} as const;

/**
 * One open connection with its statements prepared once. Each method is one transaction; writes
 * use BEGIN IMMEDIATE so they queue on the busy timeout instead of failing when a read
 * transaction cannot be upgraded.
 */
export class SqliteStatements {
  readonly database: Database.Database;
  readonly getRun: (kind: RunKind, runId: string) => RunRecord | null;
  readonly insertRun: (record: RunRecord) => boolean;
  readonly updateRun: (record: RunRecord, expectedRevision: number) => boolean;
  readonly writeRuns: (writes: readonly RunWrite[]) => boolean;
  readonly decisions: SqliteDecisions;
  readonly grants: SqliteGrants;
  readonly outbox: SqliteOutbox;
  readonly events: SqliteRunEvents;
  readonly #prepared: Partial<Record<keyof typeof SQL, Statement>> = {};
  readonly #listStatements = new Map<string, Statement>();

  constructor(database: Database.Database) {
    this.database = database;
    this.decisions = new SqliteDecisions(database);
    this.grants = new SqliteGrants(database);
    this.outbox = new SqliteOutbox(database);
    this.events = new SqliteRunEvents(database);
    const insertRun = database.transaction((record: RunRecord) => this.#insertRun(record));
    const updateRun = database.transaction((record: RunRecord, expectedRevision: number) =>
      this.#updateRun(record, expectedRevision),
    );
    this.getRun = (kind, runId) => this.#getRun(kind, runId);
    this.insertRun = (record) => insertRun.immediate(record);
    this.updateRun = (record, expectedRevision) => updateRun.immediate(record, expectedRevision);
    const writeRuns = database.transaction((writes: readonly RunWrite[]) => this.#writeRuns(writes));
    this.writeRuns = (writes) => {
      try {
        return writeRuns.immediate(writes);
      } catch (error) {
        // Thrown inside the transaction so that SQLite rolls back the writes before it.
        if (error instanceof StaleWrite) return false;
        throw error;
      }
    };
  }

  /** A statement, prepared on first use: opening a store only prepares what it runs. */
  #statement(name: keyof typeof SQL): Statement {
    this.#prepared[name] ??= this.database.prepare(SQL[name]);
    return this.#prepared[name];
  }

  /** One statement, so one implicit transaction: no BEGIN IMMEDIATE needed. */
  renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): boolean {
    return this.#statement("renewLease").run(leaseExpiresAt, kind, runId, expectedRevision).changes === 1;
  }

  /** Runs, newest first, without their state. */
  listRuns(filter: RunFilter, limit: number, offset: number): RunSummary[] {
    const where = new Where();
    where.add("kind = ?", filter.kind);
    where.add("owner_id = ?", filter.ownerId);
    where.add("session_id = ?", filter.sessionId);
    where.add("user_id = ?", filter.userId);
    where.add("status = ?", filter.status);
    const sql =
      `SELECT ${SUMMARY_COLUMNS} FROM kern_runs${where.sql()} ` +
      "ORDER BY updated_at DESC, kind, run_id LIMIT ? OFFSET ?";
    const rows = this.#list(sql).all(...where.params, limit, offset);
    return rows.map((row) => readSummaryRow(row as Row, RUNS));
  }

  /** The inbox: pending requirements oldest first, paged by the previous page's last row. */
  listPendingRequirements(filter: PendingFilter, limit: number): PendingRequirementRow[] {
    const where = new Where();
    where.add("kind = ?", filter.kind);
    where.add("owner_id = ?", filter.ownerId);
    where.add("requirement_kind = ?", filter.requirementKind);
    where.add("created_at <= ?", filter.createdBefore);
    if (filter.after !== undefined) {
      // Without a kind, '' sorts before both kinds: every row sharing the other three is after.
      const { createdAt, runId, requirementId, kind = "" } = filter.after;
      where.add("(created_at, run_id, requirement_id, kind) > (?, ?, ?, ?)", createdAt, runId, requirementId, kind);
    }
    const sql =
      `SELECT ${PENDING_COLUMNS} FROM kern_pending_requirements${where.sql()} ` +
      "ORDER BY created_at, run_id, requirement_id, kind LIMIT ?";
    const rows = this.#list(sql).all(...where.params, limit);
    return rows.map((row) => readPendingRow(row as Row, PENDING));
  }

  #getRun(kind: RunKind, runId: string): RunRecord | null {
    const row = this.#statement("selectRun").get(kind, runId) as Row | undefined;
    if (row === undefined) return null;
    return readRunRow(row, readPackedPending(row["pending"], RUNS), RUNS);
  }

  #insertRun(record: RunRecord): boolean {
    // The run first: a duplicate must return before it touches the session row.
    if (this.#statement("insertRun").run(record).changes === 0) return false;
    this.#statement("upsertSession").run(record);
    this.#writePending(record);
    return true;
  }

  #updateRun(record: RunRecord, expectedRevision: number): boolean {
    const { status, revision, updatedAt, leaseExpiresAt, state, kind, runId } = record;
    const { sessionId, ownerId, createdAt, userId } = record;
    const changes = this.#statement("updateRun").run(
      status,
      revision,
      updatedAt,
      leaseExpiresAt,
      state,
      kind,
      runId,
      expectedRevision,
      sessionId,
      ownerId,
      createdAt,
      userId,
    ).changes;
    if (changes === 0) {
      const fixed = this.#statement("selectFixed").get(kind, runId) as (FixedFields & { revision: number }) | undefined;
      if (fixed?.revision === expectedRevision) throw new StoreError(changedFixedFieldMessage(record, fixed));
      return false;
    }
    if (record.pending.length === 0) {
      this.#statement("deleteAllPending").run(kind, runId);
      return true;
    }
    const keptIds = record.pending.map((requirement) => requirement.requirementId);
    this.#statement("deleteStalePending").run(kind, runId, JSON.stringify(keptIds));
    this.#writePending(record);
    return true;
  }

  #writeRuns(writes: readonly RunWrite[]): boolean {
    for (const { record, expectedRevision } of writes) {
      if (expectedRevision === null) {
        if (!this.#insertRun(record)) throw new StoreError(alreadyStoredMessage(record));
      } else if (!this.#updateRun(record, expectedRevision)) {
        throw new StaleWrite();
      }
    }
    // After the runs: a batch retried after its commit went unanswered is stale, not a duplicate.
    this.decisions.append(batchDecisions(writes));
    this.grants.insert(batchGrants(writes));
    this.outbox.enqueue(decisionEvents(writes));
    return true;
  }

  #writePending(record: RunRecord): void {
    const written = record.pending.map((requirement, position) => {
      const { changes } = this.#statement("upsertPending").run(pendingRowOf(record, requirement, position));
      return changes === 1;
    });
    // In the run's transaction: a stored pause always has its event. A row left as it was got its
    // event when it was stored, so only new or changed rows offer theirs (a known key is kept).
    this.outbox.enqueue(pauseEvents(record).filter((_, position) => written[position]));
  }

  /** Listing queries vary with the filter; each distinct shape is prepared once. */
  #list(sql: string): Statement {
    let statement = this.#listStatements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.#listStatements.set(sql, statement);
    }
    return statement;
  }
}

/** Ends a writeRuns() transaction whose update lost its compare-and-set. */
class StaleWrite extends Error {}
