import type Database from "better-sqlite3";
import type { OutboxClaim, OutboxEntry, OutboxEvent, OutboxFilter, OutboxOutcome } from "../db.js";
import { type RowSource, readOutboxRow } from "../row-reader.js";
import { Where } from "./sqlite-where.js";

type Statement = Database.Statement<unknown[], unknown>;

const OUTBOX: RowSource = {
  table: "kern_outbox",
  hint: "the file may have been changed by hand or by an incompatible program",
};

const COLUMNS =
  'event_key AS "key", event_type AS type, kind, run_id AS runId, session_id AS sessionId, owner_id AS ownerId, ' +
  "requirement_id AS requirementId, data, created_at AS createdAt, attempts, next_attempt_at AS nextAttemptAt, " +
  "delivered_to AS deliveredTo, delivered_at AS deliveredAt, last_error AS lastError, " +
  "lease_expires_at AS leaseExpiresAt";

const SQL = {
  // An event already enqueued (the same pending row stored again) is left as it is.
  enqueue:
    "INSERT INTO kern_outbox (event_key, event_type, kind, run_id, session_id, owner_id, requirement_id, data, " +
    "created_at, next_attempt_at) VALUES (@key, @type, @kind, @runId, @sessionId, @ownerId, @requirementId, " +
    "@data, @createdAt, @createdAt) ON CONFLICT (event_key) DO NOTHING",
  due:
    "SELECT event_key AS key FROM kern_outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? " +
    "AND (lease_expires_at IS NULL OR lease_expires_at <= ?) ORDER BY created_at, event_key LIMIT ?",
  take: "UPDATE kern_outbox SET claim_token = ?, lease_expires_at = ? WHERE event_key = ?",
  read: `SELECT ${COLUMNS} FROM kern_outbox WHERE event_key = ?`,
  // Pause events only of runs that cannot pause on that requirement again (see Db.pruneOutbox).
  prune:
    "DELETE FROM kern_outbox WHERE event_key IN (SELECT o.event_key FROM kern_outbox o LEFT JOIN kern_runs r " +
    "ON r.kind = o.kind AND r.run_id = o.run_id WHERE o.delivered_at IS NOT NULL AND o.delivered_at < ? " +
    "AND (o.event_type <> 'requirement.paused' OR r.run_id IS NULL OR r.status IN ('completed', 'cancelled')) " +
    "ORDER BY o.created_at, o.event_key LIMIT ?)",
  settle:
    "UPDATE kern_outbox SET attempts = ?, next_attempt_at = ?, delivered_to = ?, delivered_at = ?, " +
    "last_error = ?, claim_token = NULL, lease_expires_at = NULL WHERE event_key = ? AND claim_token = ?",
} as const;

/**
 * The outbox of one SQLite connection. `enqueue` has no transaction of its own: it runs in the
 * transaction of the run write whose pending rows and decisions it reports. A claim is one
 * BEGIN IMMEDIATE transaction, so two connections never take the same entry.
 */
export class SqliteOutbox {
  readonly #database: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #claim: (claim: OutboxClaim) => OutboxEntry[];

  constructor(database: Database.Database) {
    this.#database = database;
    const claim = database.transaction((request: OutboxClaim) => this.#take(request));
    this.#claim = (request) => claim.immediate(request);
  }

  enqueue(events: readonly OutboxEvent[]): void {
    if (events.length === 0) return;
    const insert = this.#prepare(SQL.enqueue);
    for (const event of events) insert.run(event);
  }

  claim(request: OutboxClaim): OutboxEntry[] {
    return this.#claim(request);
  }

  settle(key: string, token: string, outcome: OutboxOutcome): boolean {
    const { attempts, nextAttemptAt, deliveredTo, deliveredAt, lastError } = outcome;
    const values = [attempts, nextAttemptAt, JSON.stringify(deliveredTo), deliveredAt, lastError, key, token];
    return this.#prepare(SQL.settle).run(...values).changes === 1;
  }

  prune(deliveredBefore: number, limit: number): number {
    return this.#prepare(SQL.prune).run(deliveredBefore, limit).changes;
  }

  list(filter: OutboxFilter, limit: number): OutboxEntry[] {
    const where = new Where();
    where.add("(delivered_at IS NULL) = ?", filter.undelivered === true ? 1 : undefined);
    if (filter.after !== undefined)
      where.add("(created_at, event_key) > (?, ?)", filter.after.createdAt, filter.after.key);
    const sql = `SELECT ${COLUMNS} FROM kern_outbox${where.sql()} ORDER BY created_at, event_key LIMIT ?`;
    return this.#prepare(sql)
      .all(...where.params, limit)
      .map((row) => readOutboxRow(row as Record<string, unknown>, OUTBOX));
  }

  #take({ token, now, leaseMs, limit }: OutboxClaim): OutboxEntry[] {
    const keys = this.#prepare(SQL.due).all(now, now, limit) as Array<{ key: string }>;
    const take = this.#prepare(SQL.take);
    const read = this.#prepare(SQL.read);
    return keys.map(({ key }) => {
      take.run(token, now + leaseMs, key);
      return readOutboxRow(read.get(key) as Record<string, unknown>, OUTBOX);
    });
  }

  /** Each distinct statement is prepared once. */
  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
