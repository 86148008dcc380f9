import pg from "pg";
import type { DecisionFilter, DecisionRecord } from "../db.js";
import { addDecisionClauses } from "../decision-where.js";
import { type RowSource, readDecisionRow } from "../row-reader.js";
import { Where } from "./postgres-where.js";
import { timedQuery } from "./timeouts.js";

const DECISIONS: RowSource = {
  table: "kern_decisions",
  hint: "the schema may have been changed by hand or by an incompatible program",
};

const DECISION_COLUMNS =
  'kind, run_id AS "runId", seq, requirement_id AS "requirementId", gate_kind AS "gateKind", ' +
  'decision, actor_id AS "actorId", actor_roles AS "actorRoles", automatic, ' +
  'decided_at AS "decidedAt", shown_digest AS "shownDigest", link_id AS "linkId", ' +
  'prev_hash AS "prevHash", hash';

/**
 * The decisions table of one PostgresDb, for reading: entries are appended by the run writes'
 * statement (postgres-run-writes.ts). Every query carries pg's query_timeout.
 */
export class PostgresDecisions {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
  }

  /** Entries oldest first, in the order (decidedAt, kind, runId, seq), after `filter.after`. */
  async list(filter: DecisionFilter, limit: number): Promise<DecisionRecord[]> {
    const where = new Where();
    addDecisionClauses(where, filter);
    const text =
      `SELECT ${DECISION_COLUMNS} FROM S.kern_decisions${where.sql()} ` +
      `ORDER BY decided_at, kind, run_id, seq LIMIT ${where.next(limit)}`;
    const result = await this.#pool.query<Record<string, unknown>>(
      timedQuery(this.#qualify(text), this.#statementTimeoutMs, where.params),
    );
    return result.rows.map((row) => readDecisionRow(row, DECISIONS));
  }

  #qualify(text: string): string {
    return text.replaceAll("S.kern_", `${this.#schema}.kern_`);
  }
}
