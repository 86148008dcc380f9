import type pg from "pg";
import { ConfigurationError } from "../../errors.js";

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** 24 hours: far above any sane limit, and far below the 2^31 ms at which Node's timers overflow. */
const MAX_TIMEOUT_MS = 86_400_000;
/**
 * How much longer than statementTimeoutMs kern waits for an answer. The server's own cancel comes
 * first when the server is alive, and it leaves the connection usable and the outcome certain;
 * kern's timer is the backstop for a server that does not answer at all.
 */
const ANSWER_GRACE_MS = 1_000;

/** How long kern waits for the answer to one statement before it closes the connection. */
export function queryTimeoutMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + ANSWER_GRACE_MS;
}

/** A query that pg abandons after `queryTimeoutMs(statementTimeoutMs)`; @types/pg omits the field. */
export function timedQuery(text: string, statementTimeoutMs: number, values?: unknown[]): pg.QueryConfig {
  const config: pg.QueryConfig & { query_timeout: number } = {
    text,
    query_timeout: queryTimeoutMs(statementTimeoutMs),
  };
  if (values !== undefined) config.values = values;
  return config;
}

/** Throws ConfigurationError unless `value` is undefined or a whole number of ms from 1 to 24 h. */
export function checkTimeoutOption(name: "connectTimeoutMs" | "statementTimeoutMs", value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    const example = name === "connectTimeoutMs" ? DEFAULT_CONNECT_TIMEOUT_MS : DEFAULT_STATEMENT_TIMEOUT_MS;
    throw new ConfigurationError(
      `PostgresDb ${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (24 h); got ` +
        `${JSON.stringify(value)}. e.g. new PostgresDb({ dbUrl, ${name}: ${example} }).`,
    );
  }
}

/**
 * Where kern's wait ended:
 * - "connect": no connection was established in time (TCP, TLS or the server's startup answer);
 * - "pool": every connection of the pool stayed busy, so none came free in time;
 * - "statement": the server cancelled a statement that ran past statement_timeout (57014);
 * - "unanswered": the server did not answer a statement in time; pg gave up on it.
 */
export type TimeoutKind = "connect" | "pool" | "statement" | "unanswered";

// pg 8 and pg-pool 3 report their own timeouts only by these messages.
const PG_TIMEOUT_MESSAGES: ReadonlyArray<[string, TimeoutKind]> = [
  ["Connection terminated due to connection timeout", "connect"],
  ["timeout expired", "connect"],
  ["timeout exceeded when trying to connect", "pool"],
  ["Query read timeout", "unanswered"],
];

/** Which timeout `error` (or an error in its `cause` chain) reports, if any. */
export function timeoutKind(error: unknown): TimeoutKind | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if ("code" in current && current.code === "57014") return "statement";
    const found = PG_TIMEOUT_MESSAGES.find(([message]) => current instanceof Error && current.message === message);
    if (found !== undefined) return found[1];
  }
  return undefined;
}

/** How an operation writes: which decides what a timeout leaves behind. */
const WRITES: Readonly<Record<string, "transaction" | "single statement">> = {
  migrate: "transaction",
  insertRun: "transaction",
  updateRun: "transaction",
  writeRuns: "transaction",
  renewLease: "single statement",
};

/** What the message needs to know about the PostgresDb whose call timed out. */
export interface TimeoutContext {
  operation: string;
  target: string;
  schema: string;
  /** null for a pool the caller passed in: its own connectionTimeoutMillis applies. */
  connectTimeoutMs: number | null;
  maxConnections: number | null;
  statementTimeoutMs: number;
  /** The statement that was not answered was a COMMIT. */
  duringCommit: boolean;
}

/** The StoreTimeoutError message: which wait ended after how long, what was stored, what to do. */
export function describeTimeout(kind: TimeoutKind, context: TimeoutContext): string {
  const { operation, target, schema } = context;
  const head = `PostgresDb ${operation}() timed out on ${target} (schema '${schema}')`;
  const writes = WRITES[operation];
  const nothingStored = writes === undefined ? "" : " Nothing was stored.";
  const connectLimit =
    context.connectTimeoutMs === null
      ? "the given pool's connectionTimeoutMillis"
      : `${context.connectTimeoutMs} ms (connectTimeoutMs)`;
  switch (kind) {
    case "connect":
      return (
        `${head}: no connection was established within ${connectLimit}.${nothingStored} Check that the server ` +
        `is running, reachable from here (host, port, firewall) and not overloaded; raise the limit if ` +
        `connecting is slow on this network.`
      );
    case "pool": {
      const size =
        context.maxConnections === null ? "the given pool's" : `all ${context.maxConnections} (maxConnections)`;
      return (
        `${head}: ${size} connections stayed busy, and none came free within ${connectLimit}.${nothingStored} ` +
        `Long statements or a lock held elsewhere usually cause this: look at pg_stat_activity, or raise ` +
        `the pool size.`
      );
    }
    case "statement":
      return (
        `${head}: the server cancelled a statement that ran longer than its statement_timeout ` +
        `(statementTimeoutMs ${context.statementTimeoutMs} ms for kern's transactions) (57014).` +
        `${writes === undefined ? "" : " It was rolled back: nothing was stored."} A lock held by another ` +
        `session or an overloaded server is the usual cause: look at pg_stat_activity (wait_event_type ` +
        `'Lock'), or raise statementTimeoutMs.`
      );
    case "unanswered":
      return (
        `${head}: the server did not answer a statement within ${queryTimeoutMs(context.statementTimeoutMs)} ms ` +
        `(statementTimeoutMs + ${ANSWER_GRACE_MS} ms), so kern closed the connection.${unansweredOutcome(writes, context.duringCommit)} ` +
        `Check that the server is alive and reachable (a stopped or overloaded server, or a network ` +
        `partition, looks like this); raise statementTimeoutMs if kern's statements need longer.`
      );
    default: {
      const unknown: never = kind;
      return `${head}: ${String(unknown)}.`;
    }
  }
}

function unansweredOutcome(writes: (typeof WRITES)[string] | undefined, duringCommit: boolean): string {
  if (writes === undefined) return "";
  if (duringCommit || writes === "single statement") {
    return (
      " The write had reached the server, which may still have stored it: read the run back with " +
      "getRun() before acting on it (a write retried with the same expectedRevision changes nothing if " +
      "the first one was stored)."
    );
  }
  return " Its transaction never reached COMMIT, so the server rolls it back: nothing was stored.";
}
