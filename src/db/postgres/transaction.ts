import type pg from "pg";
import { timedQuery, timeoutKind } from "./timeouts.js";

/**
 * A COMMIT that the server did not answer in time: it may or may not have taken effect. The pg
 * error is its cause.
 */
export class UnansweredCommit extends Error {
  constructor(cause: unknown) {
    super("COMMIT was sent but not answered in time", { cause });
    this.name = "UnansweredCommit";
  }
}

/**
 * Runs `work` inside BEGIN … COMMIT on one pooled connection, and rolls back when it throws. The
 * server cancels any statement of the transaction that runs longer than `statementTimeoutMs`
 * (SET LOCAL, which ends with the transaction and works through PgBouncer too); every statement
 * `work` sends must carry the query_timeout of {@link timedQuery}.
 *
 * A connection whose state is unknown is destroyed rather than returned to the pool: one whose
 * ROLLBACK failed, and one with a statement that was not answered in time (it is still busy with
 * it, so a ROLLBACK would only wait behind it). Closing it makes the server roll back, since it
 * never received COMMIT, unless the unanswered statement was the COMMIT: then the outcome is
 * unknown, and this throws {@link UnansweredCommit}.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  statementTimeoutMs: number,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let committing = false;
  try {
    // One round trip: a simple query may hold several statements.
    await client.query(timedQuery(`BEGIN; SET LOCAL statement_timeout = ${statementTimeoutMs}`, statementTimeoutMs));
    const result = await work(client);
    committing = true;
    await client.query(timedQuery("COMMIT", statementTimeoutMs));
    return result;
  } catch (error) {
    if (timeoutKind(error) === "unanswered") {
      broken = error instanceof Error ? error : new Error(String(error));
      throw committing ? new UnansweredCommit(error) : error;
    }
    try {
      await client.query(timedQuery("ROLLBACK", statementTimeoutMs));
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** How many times a write transaction runs before a deadlock or serialization failure is thrown. */
export const TRANSACTION_ATTEMPTS = 3;

/**
 * {@link withTransaction}, run again (up to {@link TRANSACTION_ATTEMPTS} times in all) when
 * PostgreSQL aborted it to break a deadlock (40P01) or for a serialization failure (40001). Such
 * an error comes before COMMIT and the transaction was rolled back, so nothing of it was stored
 * and running it again is safe. Every other error, timeouts and an unanswered COMMIT included, is
 * thrown at once.
 */
export async function withRetriedTransaction<T>(
  pool: pg.Pool,
  statementTimeoutMs: number,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(pool, statementTimeoutMs, work);
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && "code" in error && (error.code === "40P01" || error.code === "40001");
}
