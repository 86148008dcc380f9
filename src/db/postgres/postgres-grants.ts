import pg from "pg";
import { StoreError } from "../../errors.js";
import type { GrantFilter, GrantRecord } from "../db.js";
import { addGrantClauses, grantStoredMessage, grantValues } from "../grants.js";
import { type RowSource, readGrantRow } from "../row-reader.js";
import { Where } from "./postgres-where.js";
import { timedQuery } from "./timeouts.js";

const GRANTS: RowSource = {
  table: "kern_grants",
  hint: "the schema may have been changed by hand or by an incompatible program",
};

const GRANT_COLUMNS =
  'id, owner_kind AS "ownerKind", owner_id AS "ownerId", tool_name AS "toolName", scope, ' +
  'scope_id AS "scopeId", args_match AS "argsMatch", created_by AS "createdBy", ' +
  'created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"';

// DO NOTHING rather than a constraint error, so a stored grant is reported by its id.
const INSERT_GRANT =
  "INSERT INTO S.kern_grants (id, owner_kind, owner_id, tool_name, scope, scope_id, args_match, " +
  "created_by, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) " +
  "ON CONFLICT (id) DO NOTHING";

/**
 * The grants table of one PostgresDb. insertGrant() inserts here; writeRuns() inserts a batch's
 * grants in the run writes' statement (postgres-run-writes.ts).
 */
export class PostgresGrants {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;

  constructor(pool: pg.Pool, schema: string, statementTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = pg.escapeIdentifier(schema);
    this.#statementTimeoutMs = statementTimeoutMs;
  }

  /** Inserts one grant; throws StoreError if its id is stored already. */
  async insert(grant: GrantRecord): Promise<void> {
    const result = await this.#pool.query(this.#timed(INSERT_GRANT, grantValues(grant)));
    if (result.rowCount === 0) throw new StoreError(grantStoredMessage(grant));
  }

  async get(id: string): Promise<GrantRecord | null> {
    const result = await this.#pool.query<Record<string, unknown>>(
      this.#timed(`SELECT ${GRANT_COLUMNS} FROM S.kern_grants WHERE id = $1`, [id]),
    );
    const row = result.rows[0];
    return row === undefined ? null : readGrantRow(row, GRANTS);
  }

  async list(filter: GrantFilter, limit: number): Promise<GrantRecord[]> {
    const where = new Where();
    addGrantClauses(where, filter);
    const text = `SELECT ${GRANT_COLUMNS} FROM S.kern_grants${where.sql()} ORDER BY created_at, id LIMIT ${where.next(limit)}`;
    const result = await this.#pool.query<Record<string, unknown>>(this.#timed(text, where.params));
    return result.rows.map((row) => readGrantRow(row, GRANTS));
  }

  async revoke(id: string, revokedAt: number): Promise<boolean> {
    const text = "UPDATE S.kern_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
    const result = await this.#pool.query(this.#timed(text, [revokedAt, id]));
    return result.rowCount === 1;
  }

  #timed(text: string, values: unknown[]): pg.QueryConfig {
    return timedQuery(text.replaceAll("S.kern_", `${this.#schema}.kern_`), this.#statementTimeoutMs, values);
  }
}
