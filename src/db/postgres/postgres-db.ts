import pg from "pg";
import { ConfigurationError, KernError, StoreError, StoreTimeoutError } from "../../errors.js";
import type {
  Db,
  PendingFilter,
  PendingRequirementRow,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "../db.js";
import { applyMigrations, POSTGRES_MIGRATIONS } from "./migrations.js";
import { PostgresStatements } from "./postgres-statements.js";
import { checkTimeoutOption, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, describeTimeout, queryTimeoutMs, timeoutKind, type TimeoutKind } from "./timeouts.js";
import { UnansweredCommit } from "./transaction.js";
import { alreadyStoredMessage, checkCount, checkLeaseRenewal, checkNextRevision, checkPendingIds, checkWrites } from "../record-checks.js";

interface CommonOptions {
  /**
   * The schema that holds kern's tables (default "public"); created on first use if missing.
   * A letter or underscore, then letters, digits or underscores, at most 63 in all.
   */
  schema?: string;
  /**
   * The longest one statement of kern's may take, in milliseconds (default 30 000; 1 to
   * 86 400 000); past it the call throws StoreTimeoutError. In kern's transactions the server
   * cancels the statement (`SET LOCAL statement_timeout`) and the transaction rolls back. Every
   * query also carries pg's `query_timeout`, one second longer, for a server that does not answer
   * at all: kern then closes the connection and the server rolls back a transaction that never
   * reached COMMIT; only an unanswered COMMIT or renewLease may have been stored, and the message
   * says so. Reads and renewLease, single statements, have only that client-side limit unless
   * kern's database user has its own (`ALTER ROLE kern SET statement_timeout = '30s'`). On a
   * `pool` of yours, these limits govern kern's queries ahead of the pool's own settings.
   */
  statementTimeoutMs?: number;
}

/** Options of {@link PostgresDb}: a connection URL, or a pool the application already has. */
export type PostgresDbOptions =
  | (CommonOptions & {
      /** e.g. "postgres://user:password@host:5432/database". */
      dbUrl: string;
      pool?: never;
      /** The most connections the pool PostgresDb creates may open (default 10). */
      maxConnections?: number;
      /**
       * How long a call waits for a connection, in milliseconds (default 10 000; 1 to 86 400 000):
       * to open one (TCP, TLS, the server's startup answer), or, while all maxConnections are
       * busy, for one to come free. pg's `connectionTimeoutMillis`. Past it the call throws
       * StoreTimeoutError, having stored nothing.
       */
      connectTimeoutMs?: number;
    })
  | (CommonOptions & {
      /**
       * A pool to use instead of creating one; close() leaves it open, it is the caller's. Its own
       * `connectionTimeoutMillis` bounds connecting (pg's default, 0, waits forever for a server
       * that accepts connections and never answers: set it); statementTimeoutMs still bounds
       * kern's statements on it.
       */
      pool: pg.Pool;
      dbUrl?: never;
      maxConnections?: never;
      connectTimeoutMs?: never;
    });

const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_RUN_LIMIT = 100;
const DEFAULT_PENDING_LIMIT = 50;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

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
    return this.#use("renewLease", (statements) => statements.renewLease(kind, runId, expectedRevision, leaseExpiresAt));
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
      if (kind !== undefined) throw new StoreTimeoutError(this.#describeTimeout(operation, kind, error), { cause: error });
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
    const pool = (this.#pool ??= options.pool ?? createPool(options, this.#statementTimeoutMs));
    await applyMigrations(pool, this.#schema, POSTGRES_MIGRATIONS, this.#statementTimeoutMs);
    return new PostgresStatements(pool, this.#schema, this.#statementTimeoutMs);
  }
}

function createPool(options: Extract<PostgresDbOptions, { dbUrl: string }>, statementTimeoutMs: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.dbUrl,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    // allowExitOnIdle: idle connections do not keep the process alive, as an open SQLite file does not.
    allowExitOnIdle: true,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // kern's statements carry their own query_timeout (the same); this one covers any other query.
    // statement_timeout is set per transaction, not as a startup parameter, which PgBouncer and
    // other poolers refuse by default ("unsupported startup parameter").
    query_timeout: queryTimeoutMs(statementTimeoutMs),
  });
  // An idle connection that the server drops is removed from the pool by pg; without a listener
  // its 'error' event would crash the process. The next query opens a new connection.
  pool.on("error", () => undefined);
  return pool;
}

function checkOptions(options: PostgresDbOptions): void {
  const example = `e.g. new PostgresDb({ dbUrl: "postgres://user:password@localhost:5432/kern" })`;
  if (options.pool === undefined && (typeof options.dbUrl !== "string" || options.dbUrl.length === 0)) {
    throw new ConfigurationError(`PostgresDb needs a dbUrl (or a pg pool), ${example}.`);
  }
  if (
    options.pool !== undefined &&
    (options.dbUrl !== undefined || options.maxConnections !== undefined || options.connectTimeoutMs !== undefined)
  ) {
    throw new ConfigurationError(
      "PostgresDb takes either a dbUrl (with maxConnections and connectTimeoutMs) or a pool, not both; " +
        "the pool already knows its database, size and connect timeout (its connectionTimeoutMillis).",
    );
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new ConfigurationError(
      `PostgresDb schema ${JSON.stringify(options.schema)} is not a plain name; use a letter or ` +
        `underscore, then letters, digits or underscores (at most 63), e.g. "kern".`,
    );
  }
  const max = options.maxConnections;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
    throw new ConfigurationError(`PostgresDb maxConnections must be a whole number of 1 or more; got ${max}.`);
  }
  checkTimeoutOption("connectTimeoutMs", options.connectTimeoutMs);
  checkTimeoutOption("statementTimeoutMs", options.statementTimeoutMs);
}

/** Host, port and database, never the password: messages end up in logs. */
function describeUrl(dbUrl: string): string {
  try {
    const url = new URL(dbUrl);
    return `'${url.hostname}${url.port === "" ? "" : `:${url.port}`}${url.pathname}'`;
  } catch {
    return "the database in dbUrl";
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
