import { createHash } from "node:crypto";
import pg from "pg";
import { StoreError } from "../../errors.js";
import type { DecisionFilter, DecisionRecord } from "../db.js";
import { addDecisionClauses } from "../decision-where.js";
import { decisionKey, decisionStoredMessage } from "../record-checks.js";
import { type RowSource, readDecisionRow } from "../row-reader.js";
import { Where } from "./postgres-where.js";
import { queryTimeoutMs, timedQuery } from "./timeouts.js";

const DECISIONS: RowSource = {
  table: "kern_decisions",
  hint: "the schema may have been changed by hand or by an incompatible program",
};

const DECISION_COLUMNS =
  'kind, run_id AS "runId", seq, requirement_id AS "requirementId", gate_kind AS "gateKind", ' +
  'decision, actor_id AS "actorId", actor_roles AS "actorRoles", automatic, ' +
  'decided_at AS "decidedAt", shown_digest AS "shownDigest", link_id AS "linkId", ' +
  'prev_hash AS "prevHash", hash';

const COLUMN_NAMES =
  "kind, run_id, seq, requirement_id, gate_kind, decision, actor_id, actor_roles, automatic, " +
  "decided_at, shown_digest, link_id, prev_hash, hash";

// One statement for the whole batch, one array per column. DO NOTHING rather than a constraint
// error, so an entry stored already is reported by its key; RETURNING says which ones went in.
const INSERT_DECISIONS =
  `INSERT INTO S.kern_decisions (${COLUMN_NAMES}) SELECT d.kind, d.run_id, d.seq, ` +
  "d.requirement_id, d.gate_kind, d.decision, d.actor_id, d.actor_roles::jsonb, d.automatic, " +
  "d.decided_at, d.shown_digest, d.link_id, d.prev_hash, d.hash FROM unnest($1::text[], " +
  "$2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], " +
  "$9::boolean[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[]) " +
  `AS d (${COLUMN_NAMES}) ON CONFLICT (kind, run_id, seq) DO NOTHING ` +
  'RETURNING kind, run_id AS "runId", seq';

/**
 * The decisions table of one PostgresDb. `append` has no transaction of its own: it runs on the
 * writeRuns() transaction's client, so a throw rolls back the run writes with it. Every query
 * carries pg's query_timeout, as all of the store's queries do.
 */
export class PostgresDecisions {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;
  readonly #insert: { name: string; text: string; query_timeout: number };

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
    const text = this.#qualify(INSERT_DECISIONS);
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
    this.#insert = { name: `kern_insertDecisions_${digest}`, text, query_timeout: queryTimeoutMs(statementTimeoutMs) };
  }

  /** Inserts the entries in one statement; throws StoreError, naming it, if one is stored already. */
  async append(client: pg.PoolClient, entries: readonly DecisionRecord[]): Promise<void> {
    if (entries.length === 0) return;
    const result = await client.query<{ kind: unknown; runId: unknown; seq: unknown }>({
      ...this.#insert,
      values: decisionColumns(entries),
    });
    if (result.rows.length === entries.length) return;
    // seq comes back as a digit string (BIGINT); the batch itself holds no entry twice.
    const inserted = new Set(result.rows.map((row) => JSON.stringify([row.kind, row.runId, Number(row.seq)])));
    const stored = entries.find((entry) => !inserted.has(decisionKey(entry)));
    throw new StoreError(
      stored === undefined
        ? `writeRuns() stored ${result.rows.length} of its ${entries.length} decision entries; the ` +
            `others are stored already. Nothing was stored.`
        : decisionStoredMessage(stored),
    );
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

/** The batch as one array per column, in the order of INSERT_DECISIONS' parameters ($1 to $14). */
function decisionColumns(entries: readonly DecisionRecord[]): unknown[][] {
  const column = <T>(read: (entry: DecisionRecord) => T): T[] => entries.map(read);
  return [
    column((entry) => entry.kind),
    column((entry) => entry.runId),
    column((entry) => entry.seq),
    column((entry) => entry.requirementId),
    column((entry) => entry.gateKind),
    column((entry) => entry.decision),
    column((entry) => entry.actorId),
    column((entry) => JSON.stringify(entry.actorRoles)),
    column((entry) => entry.automatic),
    column((entry) => entry.decidedAt),
    column((entry) => entry.shownDigest),
    column((entry) => entry.linkId),
    column((entry) => entry.prevHash),
    column((entry) => entry.hash),
  ];
}
