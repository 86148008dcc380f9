import type Database from "better-sqlite3";
import { z } from "zod";
import { StoreError } from "../../errors.js";
import { runStatusSchema } from "../../runs/index.js";
import type {
  PendingFilter,
  PendingRequirementRow,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
} from "../db.js";

type Statement = Database.Statement<unknown[], unknown>;

const runKindSchema = z.enum(["agent", "workflow"]);

const summaryRowSchema = z.object({
  kind: runKindSchema,
  runId: z.string(),
  sessionId: z.string(),
  userId: z.string().nullable(),
  ownerId: z.string(),
  status: runStatusSchema,
  revision: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  leaseExpiresAt: z.number().nullable(),
});
const runRowSchema = summaryRowSchema.extend({ state: z.string() });
const pendingRecordRowSchema = z.object({
  requirementId: z.string(),
  requirementKind: z.string(),
  summary: z.string(),
});
const pendingRowSchema = pendingRecordRowSchema.extend({
  kind: runKindSchema,
  runId: z.string(),
  sessionId: z.string(),
  ownerId: z.string(),
  createdAt: z.number(),
});

const SUMMARY_COLUMNS =
  "kind, run_id AS runId, session_id AS sessionId, user_id AS userId, owner_id AS ownerId, " +
  "status, revision, created_at AS createdAt, updated_at AS updatedAt, " +
  "lease_expires_at AS leaseExpiresAt";

const PENDING_COLUMNS =
  "kind, run_id AS runId, requirement_id AS requirementId, requirement_kind AS requirementKind, " +
  "summary, session_id AS sessionId, owner_id AS ownerId, created_at AS createdAt";

// Named parameters match RunRecord's fields, so a record binds as it is (better-sqlite3 ignores
// the extra `pending` key) without building a parameter object on the hot path.
const SQL = {
  selectRun: `SELECT ${SUMMARY_COLUMNS}, state FROM kern_runs WHERE kind = ? AND run_id = ?`,
  selectPending:
    "SELECT requirement_id AS requirementId, requirement_kind AS requirementKind, summary " +
    "FROM kern_pending_requirements WHERE kind = ? AND run_id = ? ORDER BY position",
  upsertSession:
    "INSERT INTO kern_sessions (session_id, user_id, created_at, updated_at) " +
    "VALUES (@sessionId, @userId, @createdAt, @updatedAt) " +
    "ON CONFLICT (session_id) DO UPDATE SET " +
    "user_id = COALESCE(kern_sessions.user_id, excluded.user_id), " +
    "updated_at = MAX(kern_sessions.updated_at, excluded.updated_at)",
  insertRun:
    "INSERT INTO kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, " +
    "created_at, updated_at, lease_expires_at, state) VALUES (@kind, @runId, @sessionId, " +
    "@userId, @ownerId, @status, @revision, @createdAt, @updatedAt, @leaseExpiresAt, @state) " +
    "ON CONFLICT (kind, run_id) DO NOTHING",
  updateRun:
    "UPDATE kern_runs SET session_id = @sessionId, user_id = @userId, owner_id = @ownerId, " +
    "status = @status, revision = @revision, created_at = @createdAt, updated_at = @updatedAt, " +
    "lease_expires_at = @leaseExpiresAt, state = @state " +
    "WHERE kind = @kind AND run_id = @runId AND revision = @expectedRevision",
  deleteStalePending:
    "DELETE FROM kern_pending_requirements WHERE kind = ? AND run_id = ? " +
    "AND requirement_id NOT IN (SELECT value FROM json_each(?))",
  // A requirement that stays pending keeps its created_at; everything else follows the record.
  upsertPending:
    "INSERT INTO kern_pending_requirements (kind, run_id, requirement_id, position, session_id, " +
    "owner_id, requirement_kind, summary, created_at) VALUES (@kind, @runId, @requirementId, " +
    "@position, @sessionId, @ownerId, @requirementKind, @summary, @createdAt) " +
    "ON CONFLICT (kind, run_id, requirement_id) DO UPDATE SET position = excluded.position, " +
    "session_id = excluded.session_id, owner_id = excluded.owner_id, " +
    "requirement_kind = excluded.requirement_kind, summary = excluded.summary",
} as const;

/**
 * One open connection with its statements prepared once. Each method is one transaction; writes
 * use BEGIN IMMEDIATE so they queue on the busy timeout instead of failing when a read
 * transaction cannot be upgraded.
 */
export class SqliteStatements {
  readonly database: Database.Database;
  readonly getRun: (kind: RunKind, runId: string) => RunRecord | null;
  readonly insertRun: (record: RunRecord) => boolean;
  readonly updateRun: (record: RunRecord, expectedRevision: number) => boolean;
  readonly #prepared: Partial<Record<keyof typeof SQL, Statement>> = {};
  readonly #listStatements = new Map<string, Statement>();

  constructor(database: Database.Database) {
    this.database = database;
    const getRun = database.transaction((kind: RunKind, runId: string) => this.#getRun(kind, runId));
    const insertRun = database.transaction((record: RunRecord) => this.#insertRun(record));
    const updateRun = database.transaction((record: RunRecord, expectedRevision: number) =>
      this.#updateRun(record, expectedRevision),
    );
    this.getRun = (kind, runId) => getRun.deferred(kind, runId);
    this.insertRun = (record) => insertRun.immediate(record);
    this.updateRun = (record, expectedRevision) => updateRun.immediate(record, expectedRevision);
  }

  /** A statement, prepared on first use: opening a store only prepares what it runs. */
  #statement(name: keyof typeof SQL): Statement {
    return (this.#prepared[name] ??= this.database.prepare(SQL[name]));
  }

  /** Runs, newest first, without their state. */
  listRuns(filter: RunFilter, limit: number, offset: number): RunSummary[] {
    const where = new Where();
    where.add("kind = ?", filter.kind);
    where.add("owner_id = ?", filter.ownerId);
    where.add("session_id = ?", filter.sessionId);
    where.add("status = ?", filter.status);
    const sql =
      `SELECT ${SUMMARY_COLUMNS} FROM kern_runs${where.sql()} ` +
      "ORDER BY updated_at DESC, kind, run_id LIMIT ? OFFSET ?";
    const rows = this.#list(sql).all(...where.params, limit, offset);
    return rows.map((row) => parseRow(summaryRowSchema, row, "kern_runs"));
  }

  /** The inbox: pending requirements oldest first, paged by the previous page's last row. */
  listPendingRequirements(filter: PendingFilter, limit: number): PendingRequirementRow[] {
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
    const sql =
      `SELECT ${PENDING_COLUMNS} FROM kern_pending_requirements${where.sql()} ` +
      "ORDER BY created_at, run_id, requirement_id, kind LIMIT ?";
    const rows = this.#list(sql).all(...where.params, limit);
    return rows.map((row) => parseRow(pendingRowSchema, row, "kern_pending_requirements"));
  }

  #getRun(kind: RunKind, runId: string): RunRecord | null {
    const row = this.#statement("selectRun").get(kind, runId);
    if (row === undefined) return null;
    const run = parseRow(runRowSchema, row, "kern_runs");
    const pending = this.#statement("selectPending")
      .all(kind, runId)
      .map((pendingRow) => parseRow(pendingRecordRowSchema, pendingRow, "kern_pending_requirements"));
    return { ...run, pending };
  }

  #insertRun(record: RunRecord): boolean {
    // The run first: a duplicate must return before it touches the session row.
    if (this.#statement("insertRun").run(record).changes === 0) return false;
    this.#statement("upsertSession").run(record);
    this.#writePending(record);
    return true;
  }

  #updateRun(record: RunRecord, expectedRevision: number): boolean {
    const changes = this.#statement("updateRun").run({ ...record, expectedRevision }).changes;
    if (changes === 0) return false;
    const keptIds = record.pending.map((requirement) => requirement.requirementId);
    this.#statement("deleteStalePending").run(record.kind, record.runId, JSON.stringify(keptIds));
    this.#writePending(record);
    return true;
  }

  #writePending(record: RunRecord): void {
    record.pending.forEach((requirement, position) => {
      this.#statement("upsertPending").run({
        kind: record.kind,
        runId: record.runId,
        requirementId: requirement.requirementId,
        position,
        sessionId: record.sessionId,
        ownerId: record.ownerId,
        requirementKind: requirement.requirementKind,
        summary: requirement.summary,
        createdAt: record.updatedAt,
      });
    });
  }

  /** Listing queries vary with the filter; each distinct shape is prepared once. */
  #list(sql: string): Statement {
    let statement = this.#listStatements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.#listStatements.set(sql, statement);
    }
    return statement;
  }
}

/** Collects the filter clauses that apply, with their parameters in order. */
class Where {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...values: unknown[]): void {
    if (values.every((value) => value === undefined)) return;
    this.#clauses.push(clause);
    this.params.push(...values);
  }

  sql(): string {
    return this.#clauses.length === 0 ? "" : ` WHERE ${this.#clauses.join(" AND ")}`;
  }
}

function parseRow<T>(schema: z.ZodType<T>, row: unknown, table: string): T {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    throw new StoreError(
      `A row of ${table} does not have the shape this kern expects (${parsed.error.message}); ` +
        `the file may have been changed by hand or by an incompatible program.`,
    );
  }
  return parsed.data;
}
