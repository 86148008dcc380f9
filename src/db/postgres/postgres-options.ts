import pg from "pg";
import { ConfigurationError } from "../../errors.js";
import { checkTimeoutOption, DEFAULT_CONNECT_TIMEOUT_MS, queryTimeoutMs } from "./timeouts.js";

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

export const DEFAULT_MAX_CONNECTIONS = 10;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function createPool(
  options: Extract<PostgresDbOptions, { dbUrl: string }>,
  statementTimeoutMs: number,
): pg.Pool {
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

export function checkOptions(options: PostgresDbOptions): void {
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
export function describeUrl(dbUrl: string): string {
  try {
    const url = new URL(dbUrl);
    return `'${url.hostname}${url.port === "" ? "" : `:${url.port}`}${url.pathname}'`;
  } catch {
    return "the database in dbUrl";
  }
}
