import type Database from "better-sqlite3";
import { StoreError } from "../../errors.js";
import type { GrantFilter, GrantRecord } from "../db.js";
import { addGrantClauses, grantStoredMessage, grantValues } from "../grants.js";
import { type RowSource, readGrantRow } from "../row-reader.js";
import { Where } from "./sqlite-where.js";

type Statement = Database.Statement<unknown[], unknown>;

const GRANTS: RowSource = {
  table: "kern_grants",
  hint: "the file may have been changed by hand or by an incompatible program",
};

const GRANT_COLUMNS =
  "id, owner_kind AS ownerKind, owner_id AS ownerId, tool_name AS toolName, scope, scope_id AS scopeId, " +
  "args_match AS argsMatch, created_by AS createdBy, created_at AS createdAt, expires_at AS expiresAt, " +
  "revoked_at AS revokedAt";

// DO NOTHING rather than a constraint error, so a stored grant is reported by its id.
const INSERT_GRANT =
  "INSERT INTO kern_grants (id, owner_kind, owner_id, tool_name, scope, scope_id, args_match, created_by, " +
  "created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";

/**
 * The grants table of one SQLite connection. `insert` has no transaction of its own: inside
 * writeRuns() it runs in that transaction, so a throw rolls back the run writes with it.
 */
export class SqliteGrants {
  readonly #database: Database.Database;
  readonly #listStatements = new Map<string, Statement>();

  constructor(database: Database.Database) {
    this.#database = database;
  }

  /** Inserts each grant; throws StoreError at the first one stored already. */
  insert(grants: readonly GrantRecord[]): void {
    if (grants.length === 0) return;
    const insert = this.#prepare(INSERT_GRANT);
    for (const grant of grants) {
      if (insert.run(...grantValues(grant)).changes === 0) throw new StoreError(grantStoredMessage(grant));
    }
  }

  get(id: string): GrantRecord | null {
    const row = this.#prepare(`SELECT ${GRANT_COLUMNS} FROM kern_grants WHERE id = ?`).get(id);
    return row === undefined ? null : readGrantRow(row as Record<string, unknown>, GRANTS);
  }

  list(filter: GrantFilter, limit: number): GrantRecord[] {
    const where = new Where();
    addGrantClauses(where, filter);
    const sql = `SELECT ${GRANT_COLUMNS} FROM kern_grants${where.sql()} ORDER BY created_at, id LIMIT ?`;
    const rows = this.#prepare(sql).all(...where.params, limit);
    return rows.map((row) => readGrantRow(row as Record<string, unknown>, GRANTS));
  }

  revoke(id: string, revokedAt: number): boolean {
    const sql = "UPDATE kern_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
    return this.#prepare(sql).run(revokedAt, id).changes === 1;
  }

  /** Each distinct statement is prepared once. */
  #prepare(sql: string): Statement {
    let statement = this.#listStatements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      this.#listStatements.set(sql, statement);
    }
    return statement;
  }
}
