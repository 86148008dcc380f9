import { createHash } from "node:crypto";
import pg from "pg";
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
import { alreadyStoredMessage, batchDecisions, changedFixedFieldMessage, type FixedFields } from "../record-checks.js";
import { type RowSource, readPackedPending, readPendingRow, readRunRow, readSummaryRow } from "../row-reader.js";
import { PostgresDecisions } from "./postgres-decisions.js";
import { PostgresGrants } from "./postgres-grants.js";
import { PostgresOutbox } from "./postgres-outbox.js";
import { PostgresRunEvents } from "./postgres-run-events.js";
import { Where } from "./postgres-where.js";
import { queryTimeoutMs, timedQuery } from "./timeouts.js";
import { withTransaction } from "./transaction.js";

const RUNS: RowSource = {
  table: "kern_runs",
  hint: "the schema may have been changed by hand or by an incompatible program",
};
const PENDING: RowSource = { ...RUNS, table: "kern_pending_requirements" };

const SUMMARY_COLUMNS =
  'kind, run_id AS "runId", session_id AS "sessionId", user_id AS "userId", owner_id AS "ownerId", ' +
  'status, revision, created_at AS "createdAt", updated_at AS "updatedAt", ' +
  'lease_expires_at AS "leaseExpiresAt"';

const PENDING_COLUMNS =
  'kind, run_id AS "runId", requirement_id AS "requirementId", ' +
  'requirement_kind AS "requirementKind", summary, session_id AS "sessionId", ' +
  'owner_id AS "ownerId", created_at AS "createdAt"';

/** The fixed statements, with `S.` standing for the quoted schema. */
const SQL = {
  // One statement, so the run and its pending list come from the same snapshot.
  selectRun:
    `SELECT ${SUMMARY_COLUMNS}, state, COALESCE((SELECT json_agg(json_build_array(` +
    "p.requirement_id, p.requirement_kind, p.summary) " +
    "ORDER BY p.position) FROM S.kern_pending_requirements p WHERE p.kind = r.kind AND " +
    "p.run_id = r.run_id), '[]'::json) AS pending FROM S.kern_runs r WHERE kind = $1 AND run_id = $2",
  upsertSession:
    "INSERT INTO S.kern_sessions AS s (session_id, user_id, created_at, updated_at) " +
    "VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET " +
    "user_id = COALESCE(s.user_id, excluded.user_id), " +
    "updated_at = GREATEST(s.updated_at, excluded.updated_at)",
  insertRun:
    "INSERT INTO S.kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, " +
    "created_at, updated_at, lease_expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, " +
    "$10, $11) ON CONFLICT (kind, run_id) DO NOTHING",
  // The compare-and-set: a concurrent writer of the same row waits for our commit, then re-checks
  // the revision against the committed row and matches nothing.
  // Only what a run's life changes is written; the fixed fields are compared instead.
  updateRun:
    "UPDATE S.kern_runs SET status = $6, revision = $7, updated_at = $9, lease_expires_at = $10, " +
    "state = $11 WHERE kind = $1 AND run_id = $2 AND revision = $12 AND session_id = $3 " +
    "AND user_id IS NOT DISTINCT FROM $4 AND owner_id = $5 AND created_at = $8",
  renewLease:
    "UPDATE S.kern_runs SET revision = revision + 1, lease_expires_at = $1 " +
    "WHERE kind = $2 AND run_id = $3 AND revision = $4 AND status = 'running'",
  selectFixed:
    'SELECT revision, session_id AS "sessionId", owner_id AS "ownerId", created_at AS "createdAt", ' +
    'user_id AS "userId" FROM S.kern_runs WHERE kind = $1 AND run_id = $2',
  deleteStalePending:
    "DELETE FROM S.kern_pending_requirements WHERE kind = $1 AND run_id = $2 " +
    "AND NOT (requirement_id = ANY ($3::text[]))",
  // A requirement that stays pending keeps its created_at; its session and owner are the run's,
  // which never change.
  upsertPending:
    "INSERT INTO S.kern_pending_requirements (kind, run_id, requirement_id, position, session_id, " +
    "owner_id, requirement_kind, summary, created_at) SELECT $1, $2, p.requirement_id, " +
    "p.position - 1, $3, $4, p.requirement_kind, p.summary, $5 " +
    "FROM unnest($6::text[], $7::text[], $8::text[]) WITH ORDINALITY " +
    "AS p (requirement_id, requirement_kind, summary, position) " +
    "ON CONFLICT (kind, run_id, requirement_id) DO UPDATE SET position = excluded.position, " +
    "requirement_kind = excluded.requirement_kind, summary = excluded.summary",
} as const;

type Statements = Record<keyof typeof SQL, { name: string; text: string; query_timeout: number }>;

/**
 * The queries of one PostgresDb, with its schema written into every table name (so they work on
 * any pool, whatever its search_path) and each fixed statement named, so every pooled connection
 * parses it once. Every query carries pg's query_timeout, so a server that stops answering cannot
 * hang a call, whoever made the pool; transactions also set statement_timeout on the server.
 */
export class PostgresStatements {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #sql: Statements;
  readonly #statementTimeoutMs: number;
  /** The decisions table; writeRuns() appends a batch's entries in its transaction. */
  readonly decisions: PostgresDecisions;
  /** The grants table; writeRuns() inserts a batch's grants in its transaction. */
  readonly grants: PostgresGrants;
  /** The outbox; every run write enqueues the events of what it stores in its transaction. */
  readonly outbox: PostgresOutbox;
  /** The run events (event streams readers resume). */
  readonly events: PostgresRunEvents;

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.decisions = new PostgresDecisions(pool, schema, statementTimeoutMs);
    this.grants = new PostgresGrants(pool, schema, statementTimeoutMs);
    this.outbox = new PostgresOutbox(pool, schema, statementTimeoutMs);
    this.events = new PostgresRunEvents(pool, schema, statementTimeoutMs);
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
    const sql: Partial<Statements> = {};
    for (const name of Object.keys(SQL) as Array<keyof typeof SQL>) {
      const text = this.#qualify(SQL[name]);
      const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
      sql[name] = { name: `kern_${name}_${digest}`, text, query_timeout: queryTimeoutMs(statementTimeoutMs) };
    }
    this.#sql = sql as Statements;
  }

  async getRun(kind: RunKind, runId: string): Promise<RunRecord | null> {
    const result = await this.#pool.query<Record<string, unknown>>({ ...this.#sql.selectRun, values: [kind, runId] });
    const row = result.rows[0];
    return row === undefined ? null : readRunRow(row, readPackedPending(row["pending"], RUNS), RUNS);
  }

  /** Stores a new run with its session and pending rows; false when the run exists already. */
  async insertRun(record: RunRecord): Promise<boolean> {
    return withTransaction(this.#pool, this.#statementTimeoutMs, (client) => this.#insert(client, record));
  }

  async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    return withTransaction(this.#pool, this.#statementTimeoutMs, (client) =>
      this.#update(client, record, expectedRevision),
    );
  }

  /** All the writes in one transaction; false, rolled back, when an update's revision is stale. */
  async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    try {
      return await withTransaction(this.#pool, this.#statementTimeoutMs, async (client) => {
        for (const { record, expectedRevision } of writes) {
          if (expectedRevision === null) {
            if (!(await this.#insert(client, record))) throw new StoreError(alreadyStoredMessage(record));
          } else if (!(await this.#update(client, record, expectedRevision))) {
            throw new StaleWrite();
          }
        }
        // After the runs: a batch retried after its COMMIT went unanswered is stale, not a duplicate.
        await this.decisions.append(client, batchDecisions(writes));
        await this.grants.insert(batchGrants(writes), client);
        await this.outbox.enqueue(client, decisionEvents(writes));
        return true;
      });
    } catch (error) {
      // Thrown inside the transaction so that it rolls back the writes before it.
      if (error instanceof StaleWrite) return false;
      throw error;
    }
  }

  async #insert(client: pg.PoolClient, record: RunRecord): Promise<boolean> {
    // The run first: a duplicate must return before it touches the session row.
    const inserted = await client.query({ ...this.#sql.insertRun, values: runValues(record) });
    if (inserted.rowCount === 0) return false;
    const { sessionId, userId, createdAt, updatedAt } = record;
    await client.query({ ...this.#sql.upsertSession, values: [sessionId, userId, createdAt, updatedAt] });
    await this.#writePending(client, record);
    return true;
  }

  async #update(client: pg.PoolClient, record: RunRecord, expectedRevision: number): Promise<boolean> {
    const values = [...runValues(record), expectedRevision];
    const updated = await client.query({ ...this.#sql.updateRun, values });
    if (updated.rowCount === 0) {
      const fixed = await client.query<FixedFields & { revision: unknown }>({
        ...this.#sql.selectFixed,
        values: [record.kind, record.runId],
      });
      const stored = fixed.rows[0];
      if (stored !== undefined && Number(stored.revision) === expectedRevision) {
        throw new StoreError(changedFixedFieldMessage(record, stored));
      }
      return false;
    }
    const keptIds = record.pending.map((requirement) => requirement.requirementId);
    await client.query({ ...this.#sql.deleteStalePending, values: [record.kind, record.runId, keptIds] });
    await this.#writePending(client, record);
    return true;
  }

  /** One statement outside a transaction block: PostgreSQL commits it on its own. */
  async renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): Promise<boolean> {
    const result = await this.#pool.query({
      ...this.#sql.renewLease,
      values: [leaseExpiresAt, kind, runId, expectedRevision],
    });
    return result.rowCount === 1;
  }

  /** Runs, newest first, without their state. */
  async listRuns(filter: RunFilter, limit: number, offset: number): Promise<RunSummary[]> {
    const where = new Where();
    where.add("kind = ?", filter.kind);
    where.add("owner_id = ?", filter.ownerId);
    where.add("session_id = ?", filter.sessionId);
    where.add("user_id = ?", filter.userId);
    where.add("status = ?", filter.status);
    const text =
      `SELECT ${SUMMARY_COLUMNS} FROM S.kern_runs${where.sql()} ` +
      `ORDER BY updated_at DESC, kind, run_id LIMIT ${where.next(limit)} OFFSET ${where.next(offset)}`;
    const result = await this.#pool.query<Record<string, unknown>>(
      timedQuery(this.#qualify(text), this.#statementTimeoutMs, where.params),
    );
    return result.rows.map((row) => readSummaryRow(row, RUNS));
  }

  /** The inbox: pending requirements oldest first, paged by the previous page's last row. */
  async listPendingRequirements(filter: PendingFilter, limit: number): Promise<PendingRequirementRow[]> {
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
    const text =
      `SELECT ${PENDING_COLUMNS} FROM S.kern_pending_requirements${where.sql()} ` +
      `ORDER BY created_at, run_id, requirement_id, kind LIMIT ${where.next(limit)}`;
    const result = await this.#pool.query<Record<string, unknown>>(
      timedQuery(this.#qualify(text), this.#statementTimeoutMs, where.params),
    );
    return result.rows.map((row) => readPendingRow(row, PENDING));
  }

  /** One statement for the whole list, however long it is. */
  async #writePending(client: pg.PoolClient, record: RunRecord): Promise<void> {
    if (record.pending.length === 0) return;
    const values = [
      record.kind,
      record.runId,
      record.sessionId,
      record.ownerId,
      record.updatedAt,
      record.pending.map((requirement) => requirement.requirementId),
      record.pending.map((requirement) => requirement.requirementKind),
      record.pending.map((requirement) => requirement.summary),
    ];
    await client.query({ ...this.#sql.upsertPending, values });
    await this.outbox.enqueue(client, pauseEvents(record));
  }

  #qualify(text: string): string {
    return text.replaceAll("S.kern_", `${this.#schema}.kern_`);
  }
}

/** The run's columns in the order of the insertRun and updateRun parameters ($1 to $11). */
function runValues(record: RunRecord): unknown[] {
  return [
    record.kind,
    record.runId,
    record.sessionId,
    record.userId,
    record.ownerId,
    record.status,
    record.revision,
    record.createdAt,
    record.updatedAt,
    record.leaseExpiresAt,
    record.state,
  ];
}

/** Ends a writeRuns() transaction whose update lost its compare-and-set. */
class StaleWrite extends Error {}
