import type Database from "better-sqlite3";
import { StoreError } from "../../errors.js";
import type { DecisionFilter, DecisionRecord } from "../db.js";
import { addDecisionClauses } from "../decision-where.js";
import { decisionStoredMessage } from "../record-checks.js";
import { type RowSource, readDecisionRow } from "../row-reader.js";
import { Where } from "./sqlite-where.js";

type Statement = Database.Statement<unknown[], unknown>;

const DECISIONS: RowSource = {
  table: "kern_decisions",
  hint: "the file may have been changed by hand or by an incompatible program",
};

const DECISION_COLUMNS =
  "kind, run_id AS runId, seq, requirement_id AS requirementId, gate_kind AS gateKind, decision, " +
  "actor_id AS actorId, actor_roles AS actorRoles, automatic, decided_at AS decidedAt, " +
  "shown_digest AS shownDigest, link_id AS linkId, prev_hash AS prevHash, hash";

// DO NOTHING rather than a constraint error, so a stored entry is reported by its key.
const INSERT_DECISION =
  "INSERT INTO kern_decisions (kind, run_id, seq, requirement_id, gate_kind, decision, actor_id, " +
  "actor_roles, automatic, decided_at, shown_digest, link_id, prev_hash, hash) " +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, run_id, seq) DO NOTHING";

/**
 * The decisions table of one SQLite connection. It has no transaction of its own: `append` runs
 * inside the writeRuns() transaction, so a throw rolls back the run writes with it.
 */
export class SqliteDecisions {
  readonly #database: Database.Database;
  readonly #listStatements = new Map<string, Statement>();
  #insert: Statement | undefined;

  constructor(database: Database.Database) {
    this.#database = database;
  }

  /** Inserts each entry; throws StoreError at the first one stored already. */
  append(entries: readonly DecisionRecord[]): void {
    if (entries.length === 0) return;
    this.#insert ??= this.#database.prepare(INSERT_DECISION);
    for (const entry of entries) {
      if (this.#insert.run(...decisionValues(entry)).changes === 0) {
        throw new StoreError(decisionStoredMessage(entry));
      }
    }
  }

  /** Entries oldest first, in the order (decidedAt, kind, runId, seq), after `filter.after`. */
  list(filter: DecisionFilter, limit: number): DecisionRecord[] {
    const where = new Where();
    addDecisionClauses(where, filter);
    const sql =
      `SELECT ${DECISION_COLUMNS} FROM kern_decisions${where.sql()} ` +
      "ORDER BY decided_at, kind, run_id, seq LIMIT ?";
    const rows = this.#list(sql).all(...where.params, limit);
    return rows.map((row) => readDecisionRow(row as Record<string, unknown>, DECISIONS));
  }

  /** Listing queries vary with the filter; each distinct shape is prepared once. */
  #list(sql: string): Statement {
    let statement = this.#listStatements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      this.#listStatements.set(sql, statement);
    }
    return statement;
  }
}

/** An entry's columns in the order of INSERT_DECISION. */
function decisionValues(entry: DecisionRecord): unknown[] {
  return [
    entry.kind,
    entry.runId,
    entry.seq,
    entry.requirementId,
    entry.gateKind,
    entry.decision,
    entry.actorId,
    JSON.stringify(entry.actorRoles),
    entry.automatic ? 1 : 0,
    entry.decidedAt,
    entry.shownDigest,
    entry.linkId,
    entry.prevHash,
    entry.hash,
  ];
}
