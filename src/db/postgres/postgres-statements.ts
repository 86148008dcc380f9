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
import { alreadyStoredMessage } from "../record-checks.js";
import { type RowSource, readPackedPending, readPendingRow, readRunRow, readSummaryRow } from "../row-reader.js";
import { PostgresDecisions } from "./postgres-decisions.js";
import { PostgresGrants } from "./postgres-grants.js";
import { PostgresOutbox } from "./postgres-outbox.js";
import { PostgresRunEvents } from "./postgres-run-events.js";
import { type RunWriteFailure, readWriteResult, WRITE_RUNS, writeRunsValues } from "./postgres-run-writes.js";
import { Where } from "./postgres-where.js";
import { queryTimeoutMs, timedQuery } from "./timeouts.js";
import { withRetriedTransaction } from "./transaction.js";

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
  renewLease:
    "UPDATE S.kern_runs SET revision = revision + 1, lease_expires_at = $1 " +
    "WHERE kind = $2 AND run_id = $3 AND revision = $4 AND status = 'running'",
  writeRuns: WRITE_RUNS,
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
  /** The decisions table (the run writes append a batch's entries in their own statement). */
  readonly decisions: PostgresDecisions;
  /** The grants table (the run writes insert a batch's grants in their own statement). */
  readonly grants: PostgresGrants;
  /** The outbox (every run write enqueues the events of what it stores in its own statement). */
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
    const failure = await this.#write([{ record, expectedRevision: null }]);
    return failure === undefined;
  }

  async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    return this.writeRuns([{ record, expectedRevision }]);
  }

  /** All the writes in one transaction; false, rolled back, when an update's revision is stale. */
  async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    if (writes.length === 0) return true;
    const failure = await this.#write(writes);
    switch (failure?.type) {
      case undefined:
        return true;
      case "stale":
        return false;
      case "duplicate":
        throw new StoreError(alreadyStoredMessage(failure.record));
      case "changed fixed field":
        throw new StoreError(failure.message);
      default: {
        const unknown: never = failure;
        throw new Error(`unknown write failure ${JSON.stringify(unknown)}`);
      }
    }
  }

  /**
   * Stores the batch with one statement: BEGIN, the statement, COMMIT are the three round trips of
   * a write. The transaction is kept for SET LOCAL statement_timeout, and so that a batch that
   * failed part-way is rolled back; a deadlock or serialization failure runs it again.
   */
  async #write(writes: readonly RunWrite[]): Promise<RunWriteFailure | undefined> {
    try {
      await withRetriedTransaction(this.#pool, this.#statementTimeoutMs, async (client) => {
        const result = await client.query({ ...this.#sql.writeRuns, values: writeRunsValues(writes) });
        const failure = readWriteResult(writes, result.rows[0]);
        if (failure !== undefined) throw new RolledBack(failure);
      });
      return undefined;
    } catch (error) {
      // Thrown inside the transaction so that it rolls back what the statement wrote.
      if (error instanceof RolledBack) return error.failure;
      throw error;
    }
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

  #qualify(text: string): string {
    return text.replaceAll("S.kern_", `${this.#schema}.kern_`);
  }
}

/** Ends a write transaction that stored nothing, carrying why. */
class RolledBack extends Error {
  constructor(readonly failure: RunWriteFailure) {
    super(failure.type);
  }
}
