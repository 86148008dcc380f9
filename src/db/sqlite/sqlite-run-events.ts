import type Database from "better-sqlite3";
import type { NewRunEvent, RunEventFilter, RunEventRecord, RunKind } from "../db.js";
import { type RowSource, readRunEventRow } from "../row-reader.js";

type Statement = Database.Statement<unknown[], unknown>;

const EVENTS: RowSource = {
  table: "kern_run_events",
  hint: "the file may have been changed by hand or by an incompatible program",
};

const SQL = {
  last: "SELECT COALESCE(MAX(seq), 0) AS seq FROM kern_run_events WHERE kind = ? AND run_id = ?",
  insert: "INSERT INTO kern_run_events (kind, run_id, seq, event, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  list:
    "SELECT kind, run_id AS runId, seq, event, data, created_at AS createdAt FROM kern_run_events " +
    "WHERE kind = ? AND run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  // Never a run's last event: it keeps the run's numbering going after the older ones are gone.
  delete:
    "DELETE FROM kern_run_events WHERE rowid IN (SELECT e.rowid FROM kern_run_events e WHERE e.created_at < ? " +
    "AND e.seq < (SELECT MAX(m.seq) FROM kern_run_events m WHERE m.kind = e.kind AND m.run_id = e.run_id) LIMIT ?)",
} as const;

/** The run events of one SQLite connection. An append is one BEGIN IMMEDIATE transaction. */
export class SqliteRunEvents {
  readonly #database: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #append: (kind: RunKind, runId: string, events: readonly NewRunEvent[]) => number;

  constructor(database: Database.Database) {
    this.#database = database;
    const append = database.transaction((kind: RunKind, runId: string, events: readonly NewRunEvent[]) => {
      let seq = this.last(kind, runId);
      const insert = this.#prepare(SQL.insert);
      for (const { event, data, createdAt } of events) {
        seq += 1;
        insert.run(kind, runId, seq, event, data, createdAt);
      }
      return seq;
    });
    this.#append = (kind, runId, events) => append.immediate(kind, runId, events);
  }

  append(kind: RunKind, runId: string, events: readonly NewRunEvent[]): number {
    return this.#append(kind, runId, events);
  }

  list(filter: RunEventFilter, limit: number): RunEventRecord[] {
    return this.#prepare(SQL.list)
      .all(filter.kind, filter.runId, filter.after ?? 0, limit)
      .map((row) => readRunEventRow(row as Record<string, unknown>, EVENTS));
  }

  last(kind: RunKind, runId: string): number {
    const row = this.#prepare(SQL.last).get(kind, runId) as { seq: number };
    return row.seq;
  }

  delete(createdBefore: number, limit: number): number {
    return this.#prepare(SQL.delete).run(createdBefore, limit).changes;
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
