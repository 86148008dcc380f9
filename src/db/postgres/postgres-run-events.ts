import pg from "pg";
import type { NewRunEvent, RunEventFilter, RunEventRecord, RunKind } from "../db.js";
import { type RowSource, readRunEventRow } from "../row-reader.js";
import { timedQuery } from "./timeouts.js";

const EVENTS: RowSource = {
  table: "kern_run_events",
  hint: "the schema may have been changed by hand or by an incompatible program",
};

// One statement numbers the batch on from the run's last committed event. Two appends to one run
// at once compute the same numbers; the second waits on the first's uncommitted key, then fails
// with a unique violation and is tried again: numbers are never skipped, nor seen out of order.
const APPEND =
  "INSERT INTO S.kern_run_events (kind, run_id, seq, event, data, created_at) " +
  "SELECT $1, $2, last.seq + e.position, e.event, e.data, e.created_at " +
  "FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM S.kern_run_events WHERE kind = $1 AND run_id = $2) last, " +
  "unnest($3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS e(event, data, created_at, position) " +
  "RETURNING seq";

const LIST =
  'SELECT kind, run_id AS "runId", seq, event, data, created_at AS "createdAt" FROM S.kern_run_events ' +
  "WHERE kind = $1 AND run_id = $2 AND seq > $3 ORDER BY seq LIMIT $4";

const LAST = "SELECT COALESCE(MAX(seq), 0) AS seq FROM S.kern_run_events WHERE kind = $1 AND run_id = $2";

// Never a run's last event: it keeps the run's numbering going after the older ones are gone.
const DELETE =
  "DELETE FROM S.kern_run_events WHERE ctid IN (SELECT e.ctid FROM S.kern_run_events e WHERE e.created_at < $1 " +
  "AND e.seq < (SELECT MAX(m.seq) FROM S.kern_run_events m WHERE m.kind = e.kind AND m.run_id = e.run_id) LIMIT $2)";

const UNIQUE_VIOLATION = "23505";
const APPEND_ATTEMPTS = 5;

/** The run events of one PostgresDb. */
export class PostgresRunEvents {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
  }

  async append(kind: RunKind, runId: string, events: readonly NewRunEvent[]): Promise<number> {
    if (events.length === 0) return this.last(kind, runId);
    const values = [
      kind,
      runId,
      events.map((event) => event.event),
      events.map((event) => event.data),
      events.map((event) => event.createdAt),
    ];
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.#pool.query<{ seq: string }>(this.#timed(APPEND, values));
        return Math.max(...result.rows.map((row) => Number(row.seq)));
      } catch (error) {
        if (attempt >= APPEND_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  async list(filter: RunEventFilter, limit: number): Promise<RunEventRecord[]> {
    const values = [filter.kind, filter.runId, filter.after ?? 0, limit];
    const result = await this.#pool.query<Record<string, unknown>>(this.#timed(LIST, values));
    return result.rows.map((row) => readRunEventRow(row, EVENTS));
  }

  async last(kind: RunKind, runId: string): Promise<number> {
    const result = await this.#pool.query<{ seq: string }>(this.#timed(LAST, [kind, runId]));
    return Number(result.rows[0]?.seq ?? 0);
  }

  async delete(createdBefore: number, limit: number): Promise<number> {
    const result = await this.#pool.query(this.#timed(DELETE, [createdBefore, limit]));
    return result.rowCount ?? 0;
  }

  #timed(text: string, values: unknown[]): pg.QueryConfig {
    return timedQuery(text.replaceAll("S.kern_", `${this.#schema}.kern_`), this.#statementTimeoutMs, values);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}
