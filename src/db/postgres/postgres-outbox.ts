import pg from "pg";
import type { OutboxClaim, OutboxEntry, OutboxFilter, OutboxOutcome } from "../db.js";
import { compareOutbox } from "../outbox.js";
import { type RowSource, readOutboxRow } from "../row-reader.js";
import { Where } from "./postgres-where.js";
import { timedQuery } from "./timeouts.js";

const OUTBOX: RowSource = {
  table: "kern_outbox",
  hint: "the schema may have been changed by hand or by an incompatible program",
};

const FIELDS = [
  ["event_key", "key"],
  ["event_type", "type"],
  ["kind", "kind"],
  ["run_id", "runId"],
  ["session_id", "sessionId"],
  ["owner_id", "ownerId"],
  ["requirement_id", "requirementId"],
  ["data", "data"],
  ["created_at", "createdAt"],
  ["attempts", "attempts"],
  ["next_attempt_at", "nextAttemptAt"],
  ["delivered_to", "deliveredTo"],
  ["delivered_at", "deliveredAt"],
  ["last_error", "lastError"],
  ["lease_expires_at", "leaseExpiresAt"],
] as const;

/** The columns named as OutboxEntry's fields, each qualified with `table`. */
function columns(table: string): string {
  return FIELDS.map(([column, field]) => `${table}.${column} AS "${field}"`).join(", ");
}

// SKIP LOCKED: a second dispatcher's claim passes over rows another is claiming right now.
const CLAIM =
  "UPDATE S.kern_outbox o SET claim_token = $1, lease_expires_at = $2 FROM (SELECT event_key FROM S.kern_outbox " +
  "WHERE delivered_at IS NULL AND next_attempt_at <= $3 AND (lease_expires_at IS NULL OR lease_expires_at <= $3) " +
  "ORDER BY created_at, event_key LIMIT $4 FOR UPDATE SKIP LOCKED) due WHERE o.event_key = due.event_key " +
  `RETURNING ${columns("o")}`;

// Pause events only of runs that cannot pause on that requirement again (see Db.pruneOutbox).
const PRUNE =
  "DELETE FROM S.kern_outbox WHERE event_key IN (SELECT o.event_key FROM S.kern_outbox o LEFT JOIN S.kern_runs r " +
  "ON r.kind = o.kind AND r.run_id = o.run_id WHERE o.delivered_at IS NOT NULL AND o.delivered_at < $1 " +
  "AND (o.event_type <> 'requirement.paused' OR r.run_id IS NULL OR r.status IN ('completed', 'cancelled')) " +
  "ORDER BY o.created_at, o.event_key LIMIT $2)";

const SETTLE =
  "UPDATE S.kern_outbox SET attempts = $1, next_attempt_at = $2, delivered_to = $3, delivered_at = $4, " +
  "last_error = $5, claim_token = NULL, lease_expires_at = NULL WHERE event_key = $6 AND claim_token = $7";

/** The outbox of one PostgresDb; events are enqueued by the run writes' statement (postgres-run-writes.ts). */
export class PostgresOutbox {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
  }

  async claim({ token, now, leaseMs, limit }: OutboxClaim): Promise<OutboxEntry[]> {
    const result = await this.#pool.query<Record<string, unknown>>(
      this.#timed(CLAIM, [token, now + leaseMs, now, limit]),
    );
    return result.rows.map((row) => readOutboxRow(row, OUTBOX)).sort(compareOutbox);
  }

  async settle(key: string, token: string, outcome: OutboxOutcome): Promise<boolean> {
    const { attempts, nextAttemptAt, deliveredTo, deliveredAt, lastError } = outcome;
    const values = [attempts, nextAttemptAt, JSON.stringify(deliveredTo), deliveredAt, lastError, key, token];
    const result = await this.#pool.query(this.#timed(SETTLE, values));
    return result.rowCount === 1;
  }

  async prune(deliveredBefore: number, limit: number): Promise<number> {
    const result = await this.#pool.query(this.#timed(PRUNE, [deliveredBefore, limit]));
    return result.rowCount ?? 0;
  }

  async list(filter: OutboxFilter, limit: number): Promise<OutboxEntry[]> {
    const where = new Where();
    where.add("(delivered_at IS NULL) = ?", filter.undelivered === true ? true : undefined);
    if (filter.after !== undefined)
      where.add("(created_at, event_key) > (?, ?)", filter.after.createdAt, filter.after.key);
    const text = `SELECT ${columns("S.kern_outbox")} FROM S.kern_outbox${where.sql()} ORDER BY created_at, event_key LIMIT ${where.next(limit)}`;
    const result = await this.#pool.query<Record<string, unknown>>(this.#timed(text, where.params));
    return result.rows.map((row) => readOutboxRow(row, OUTBOX));
  }

  #timed(text: string, values: unknown[]): pg.QueryConfig {
    return timedQuery(text.replaceAll("S.kern_", `${this.#schema}.kern_`), this.#statementTimeoutMs, values);
  }
}
