import Database from "better-sqlite3";
import { ConfigurationError, KernError, StoreError } from "../../errors.js";
import type {
  Db,
  DecisionFilter,
  DecisionRecord,
  GrantFilter,
  GrantRecord,
  NewRunEvent,
  OutboxClaim,
  OutboxEntry,
  OutboxFilter,
  OutboxOutcome,
  OutboxPrune,
  PendingFilter,
  PendingRequirementRow,
  RunEventFilter,
  RunEventRecord,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "../db.js";
import { checkGrantFilter, checkGrants, checkRevoke } from "../grants.js";
import { checkClaim, checkOutboxFilter, checkOutcome, checkPrune } from "../outbox.js";
import {
  alreadyStoredMessage,
  checkCount,
  checkDecisionFilter,
  checkLeaseRenewal,
  checkNextRevision,
  checkPendingIds,
  checkWrites,
} from "../record-checks.js";
import { checkEventFilter, checkEventRetention, checkNewEvents } from "../run-events.js";
import { applyMigrations, SQLITE_MIGRATIONS } from "./migrations.js";
import { SqliteStatements } from "./sqlite-statements.js";

/** Options of {@link SqliteDb}. */
export interface SqliteDbOptions {
  /** Path of the database file; created on first use if it does not exist. */
  dbFile: string;
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * How durable a commit is when the call that made it returns (SQLite's `synchronous` pragma,
   * default "full").
   * - "full": every commit syncs the write-ahead log to disk (one fsync), so a stored run survives
   *   a power loss or an operating-system crash.
   * - "normal": the log is synced only at checkpoints. Commits are cheaper and survive a crash of
   *   the process, but a power loss or an OS crash can undo the most recent ones (the file stays
   *   consistent). Among them can be the claim kern stores just before an approved tool runs: after
   *   the restart the run is paused again, so the tool can run a second time. Choose it only where
   *   that is acceptable, or where the disk would lose the commits anyway (a volatile write cache).
   */
  synchronous?: "full" | "normal";
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const SYNCHRONOUS_MODES = ["full", "normal"] as const;
const DEFAULT_RUN_LIMIT = 100;
const DEFAULT_PENDING_LIMIT = 50;

/**
 * A {@link Db} in one SQLite file, on better-sqlite3: the embedded default. Several SqliteDb
 * objects, in one process or in several, can share a file; compare-and-set updates stay exact
 * across all of them. Constructing one is cheap: the file opens, and migrations run, on first use
 * (or when you call {@link SqliteDb.migrate}).
 *
 * @example
 * const db = new SqliteDb({ dbFile: "./kern.db" });
 * await db.migrate(); // optional: fail at start-up rather than on the first run
 */
export class SqliteDb implements Db {
  readonly dialect = "sqlite";
  readonly #dbFile: string;
  readonly #busyTimeoutMs: number;
  readonly #synchronous: "full" | "normal";
  #connection: SqliteStatements | null = null;
  #closed = false;

  constructor(options: SqliteDbOptions) {
    if (typeof options.dbFile !== "string" || options.dbFile.length === 0) {
      throw new ConfigurationError(`SqliteDb needs a dbFile path, e.g. new SqliteDb({ dbFile: "./kern.db" }).`);
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new ConfigurationError(
        `SqliteDb busyTimeoutMs must be a whole number of milliseconds, 0 or more; got ${busyTimeoutMs}.`,
      );
    }
    const synchronous = options.synchronous ?? "full";
    if (!SYNCHRONOUS_MODES.includes(synchronous)) {
      throw new ConfigurationError(
        `SqliteDb synchronous must be "full" (the default: every commit survives a power loss) or ` +
          `"normal" (faster; a power loss can undo the last commits); got ${JSON.stringify(synchronous)}.`,
      );
    }
    this.#dbFile = options.dbFile;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#synchronous = synchronous;
  }

  /** Opens the file and applies any pending migrations. Every other method does this first. */
  async migrate(): Promise<void> {
    this.#use("migrate", () => undefined);
  }

  async getRun(kind: RunKind, runId: string): Promise<RunRecord | null> {
    return this.#use("getRun", (statements) => statements.getRun(kind, runId));
  }

  async insertRun(record: RunRecord): Promise<void> {
    checkPendingIds(record);
    const inserted = this.#use("insertRun", (statements) => statements.insertRun(record));
    if (!inserted) {
      throw new StoreError(alreadyStoredMessage(record));
    }
  }

  async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    checkNextRevision(record, expectedRevision);
    checkPendingIds(record);
    return this.#use("updateRun", (statements) => statements.updateRun(record, expectedRevision));
  }

  async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    checkWrites(writes);
    return this.#use("writeRuns", (statements) => statements.writeRuns(writes));
  }

  async renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): Promise<boolean> {
    checkLeaseRenewal(expectedRevision, leaseExpiresAt);
    return this.#use("renewLease", (statements) =>
      statements.renewLease(kind, runId, expectedRevision, leaseExpiresAt),
    );
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const limit = checkCount("listRuns", "limit", filter.limit, DEFAULT_RUN_LIMIT);
    const offset = checkCount("listRuns", "offset", filter.offset, 0);
    return this.#use("listRuns", (statements) => statements.listRuns(filter, limit, offset));
  }

  async listPendingRequirements(filter: PendingFilter = {}): Promise<PendingRequirementRow[]> {
    const limit = checkCount("listPendingRequirements", "limit", filter.limit, DEFAULT_PENDING_LIMIT);
    return this.#use("listPendingRequirements", (statements) => statements.listPendingRequirements(filter, limit));
  }

  async listDecisions(filter: DecisionFilter = {}): Promise<DecisionRecord[]> {
    const limit = checkDecisionFilter(filter);
    return this.#use("listDecisions", (statements) => statements.decisions.list(filter, limit));
  }

  async insertGrant(grant: GrantRecord): Promise<void> {
    checkGrants([grant]);
    this.#use("insertGrant", (statements) => statements.grants.insert([grant]));
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    return this.#use("getGrant", (statements) => statements.grants.get(id));
  }

  async listGrants(filter: GrantFilter = {}): Promise<GrantRecord[]> {
    const limit = checkGrantFilter(filter);
    return this.#use("listGrants", (statements) => statements.grants.list(filter, limit));
  }

  async revokeGrant(id: string, revokedAt: number): Promise<boolean> {
    checkRevoke(id, revokedAt);
    return this.#use("revokeGrant", (statements) => statements.grants.revoke(id, revokedAt));
  }

  async claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
    checkClaim(claim);
    return this.#use("claimOutbox", (statements) => statements.outbox.claim(claim));
  }

  async settleOutbox(key: string, token: string, outcome: OutboxOutcome): Promise<boolean> {
    checkOutcome(outcome);
    return this.#use("settleOutbox", (statements) => statements.outbox.settle(key, token, outcome));
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxEntry[]> {
    const limit = checkOutboxFilter(filter);
    return this.#use("listOutbox", (statements) => statements.outbox.list(filter, limit));
  }

  async pruneOutbox(prune: OutboxPrune): Promise<number> {
    const limit = checkPrune(prune);
    return this.#use("pruneOutbox", (statements) => statements.outbox.prune(prune.deliveredBefore, limit));
  }

  async appendRunEvents(kind: RunKind, runId: string, events: readonly NewRunEvent[]): Promise<number> {
    checkNewEvents(runId, events);
    return this.#use("appendRunEvents", (statements) => statements.events.append(kind, runId, events));
  }

  async listRunEvents(filter: RunEventFilter): Promise<RunEventRecord[]> {
    const limit = checkEventFilter(filter);
    return this.#use("listRunEvents", (statements) => statements.events.list(filter, limit));
  }

  async lastRunEventSeq(kind: RunKind, runId: string): Promise<number> {
    return this.#use("lastRunEventSeq", (statements) => statements.events.last(kind, runId));
  }

  async deleteRunEvents(createdBefore: number, limit?: number): Promise<number> {
    const most = checkEventRetention(createdBefore, limit);
    return this.#use("deleteRunEvents", (statements) => statements.events.delete(createdBefore, most));
  }

  /** Closes the file. Safe to call twice; any later call on this object throws StoreError. */
  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = null;
    connection?.database.close();
  }

  /** Runs `work` on the open connection, opening it first, and wraps driver errors. */
  #use<T>(operation: string, work: (statements: SqliteStatements) => T): T {
    if (this.#closed) {
      throw new StoreError(
        `This SqliteDb for '${this.#dbFile}' was closed; create a new SqliteDb to use the file again.`,
      );
    }
    try {
      this.#connection ??= openConnection(this.#dbFile, this.#busyTimeoutMs, this.#synchronous);
      return work(this.#connection);
    } catch (error) {
      if (error instanceof KernError) throw error;
      throw new StoreError(describeFailure(operation, this.#dbFile, error), { cause: error });
    }
  }
}

function openConnection(dbFile: string, busyTimeoutMs: number, synchronous: "full" | "normal"): SqliteStatements {
  // `timeout` is SQLite's busy timeout: a locked write waits this long before SQLITE_BUSY.
  const database = new Database(dbFile, { timeout: busyTimeoutMs });
  try {
    enableWal(database, busyTimeoutMs);
    // Per connection, so every SqliteDb sets it. In WAL mode FULL syncs the log at each commit.
    database.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
    database.pragma("foreign_keys = ON");
    applyMigrations(database, SQLITE_MIGRATIONS);
    return new SqliteStatements(database);
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * Switching a fresh file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
 * without waiting on busy_timeout, while another connection is opening the same file. So this
 * retries within the same budget; the file stays in WAL afterwards, so later opens do not wait.
 */
function enableWal(database: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      database.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if (!errorCode(error)?.startsWith("SQLITE_BUSY") || Date.now() >= deadline) throw error;
      // better-sqlite3 is synchronous and SQLite's own busy wait blocks the thread the same way.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(attempt * 2, 25));
    }
  }
}

function describeFailure(operation: string, dbFile: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const hint = code?.startsWith("SQLITE_BUSY")
    ? " Another connection held the write lock longer than busyTimeoutMs; raise it or retry."
    : "";
  return `SqliteDb ${operation}() failed on '${dbFile}'${code ? ` (${code})` : ""}: ${message}.${hint}`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    return typeof error.code === "string" ? error.code : undefined;
  }
  return undefined;
}
