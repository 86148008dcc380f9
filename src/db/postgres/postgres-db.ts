import type pg from "pg";
import { KernError, StoreError, StoreTimeoutError } from "../../errors.js";
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
import { applyMigrations, POSTGRES_MIGRATIONS } from "./migrations.js";
import {
  checkOptions,
  createPool,
  DEFAULT_MAX_CONNECTIONS,
  describeUrl,
  type PostgresDbOptions,
} from "./postgres-options.js";
import { PostgresStatements } from "./postgres-statements.js";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  describeTimeout,
  type TimeoutKind,
  timeoutKind,
} from "./timeouts.js";
import { UnansweredCommit } from "./transaction.js";

const DEFAULT_RUN_LIMIT = 100;
const DEFAULT_PENDING_LIMIT = 50;

/**
 * A {@link Db} in PostgreSQL, on `pg`: for many processes or machines sharing one store.
 * Compare-and-set updates are exact across all of them. Constructing one is cheap: the pool is
 * created, and migrations run, on first use (or when you call {@link PostgresDb.migrate}).
 *
 * @example
 * const db = new PostgresDb({ dbUrl: process.env.DATABASE_URL ?? "postgres://localhost/kern" });
 * await db.migrate(); // optional: fail at start-up rather than on the first run
 */
export class PostgresDb implements Db {
  readonly dialect = "postgres";
  readonly #options: PostgresDbOptions;
  readonly #schema: string;
  readonly #target: string;
  readonly #statementTimeoutMs: number;
  #pool: pg.Pool | null = null;
  #ready: Promise<PostgresStatements> | null = null;
  #closed = false;

  constructor(options: PostgresDbOptions) {
    checkOptions(options);
    this.#options = options;
    this.#schema = options.schema ?? "public";
    this.#target = options.pool === undefined ? describeUrl(options.dbUrl) : "the given pool";
    this.#statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  }

  /** Creates the pool, then the schema and tables if missing. Every other method does this first. */
  async migrate(): Promise<void> {
    await this.#use("migrate", async () => undefined);
  }

  async getRun(kind: RunKind, runId: string): Promise<RunRecord | null> {
    return this.#use("getRun", (statements) => statements.getRun(kind, runId));
  }

  async insertRun(record: RunRecord): Promise<void> {
    checkPendingIds(record);
    const inserted = await this.#use("insertRun", (statements) => statements.insertRun(record));
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
    await this.#use("insertGrant", (statements) => statements.grants.insert(grant));
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

  /**
   * Ends the pool this object created, after its queries finish; a pool passed in stays open.
   * Safe to call twice; any later call on this object throws StoreError.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = null;
    this.#ready = null;
    if (pool !== null && this.#options.pool === undefined) await pool.end();
  }

  /** Runs `work` once the schema is ready, and wraps driver errors. */
  async #use<T>(operation: string, work: (statements: PostgresStatements) => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StoreError(
        `This PostgresDb for ${this.#target} was closed; create a new PostgresDb to use the database again.`,
      );
    }
    try {
      return await work(await this.#open());
    } catch (error) {
      if (error instanceof KernError) throw error;
      const kind = timeoutKind(error);
      if (kind !== undefined)
        throw new StoreTimeoutError(this.#describeTimeout(operation, kind, error), { cause: error });
      throw new StoreError(describeFailure(operation, this.#target, this.#schema, error), { cause: error });
    }
  }

  #describeTimeout(operation: string, kind: TimeoutKind, error: unknown): string {
    const options = this.#options;
    const own = options.pool === undefined;
    return describeTimeout(kind, {
      operation,
      target: this.#target,
      schema: this.#schema,
      connectTimeoutMs: own ? (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) : null,
      maxConnections: own ? (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS) : null,
      statementTimeoutMs: this.#statementTimeoutMs,
      duringCommit: error instanceof UnansweredCommit,
    });
  }

  /** The first caller creates the pool and migrates; a failed attempt is retried by the next. */
  #open(): Promise<PostgresStatements> {
    this.#ready ??= this.#connect().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  async #connect(): Promise<PostgresStatements> {
    const options = this.#options;
    this.#pool ??= options.pool ?? createPool(options, this.#statementTimeoutMs);
    const pool = this.#pool;
    await applyMigrations(pool, this.#schema, POSTGRES_MIGRATIONS, this.#statementTimeoutMs);
    return new PostgresStatements(pool, this.#schema, this.#statementTimeoutMs);
  }
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: "Check that the server is running and that dbUrl names the right host and port.",
  ENOTFOUND: "Check the host name in dbUrl.",
  "28P01": "Check the user and password in dbUrl.",
  "3D000": "Create the database, or fix its name in dbUrl.",
  "42501": "The user lacks a privilege: it needs CREATE on the database to create the schema.",
};

function describeFailure(operation: string, target: string, schema: string, error: unknown): string {
  const code = errorCode(error);
  const hint = code === undefined ? undefined : HINTS[code];
  return (
    `PostgresDb ${operation}() failed on ${target} (schema '${schema}')${code === undefined ? "" : ` (${code})`}: ` +
    `${errorMessage(error)}.${hint === undefined ? "" : ` ${hint}`}`
  );
}

/** Connecting to "localhost" can fail on several addresses at once: an AggregateError, no message. */
function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") {
    return error.errors.map((inner) => errorMessage(inner)).join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    return typeof error.code === "string" ? error.code : undefined;
  }
  return undefined;
}

export type { PostgresDbOptions } from "./postgres-options.js";
