import type { Db, RunWrite } from "../db/db.js";
import { StoreError } from "../errors.js";

/**
 * Run writes held back so that they are stored with the next write to the same Db, in one
 * transaction: a workflow holds the final save of its step's agent run and stores it with its
 * own save. Whoever holds writes must flush them before anything else can act (the next
 * component runs), so a held write never waits behind a side effect.
 */
export class WriteBatch {
  readonly db: Db;
  #writes: RunWrite[] = [];

  constructor(db: Db) {
    this.db = db;
  }

  hold(write: RunWrite): void {
    this.#writes.push(write);
  }

  /** Hands over what is held, leaving the batch empty. */
  take(): RunWrite[] {
    const writes = this.#writes;
    this.#writes = [];
    return writes;
  }

  /** Stores what is held, on its own. */
  async flush(): Promise<void> {
    const writes = this.take();
    if (writes.length > 0) await storeWrites(this.db, writes);
  }
}

/**
 * The option key under which a workflow passes its batch to its step's agent. A symbol, so it
 * never shows up among the options an application can pass.
 */
export const holdWritesIn: unique symbol = Symbol("kern.holdWritesIn");

/** Stores writes in one transaction; a stale revision means another process took a claimed run. */
export async function storeWrites(db: Db, writes: readonly RunWrite[]): Promise<void> {
  if (await db.writeRuns(writes)) return;
  const runs = writes.map(({ record }) => `${record.kind} run '${record.runId}'`).join(", ");
  throw new StoreError(
    `One of ${runs} changed in the store while this process held its claim (the lease may have ` +
      `expired and been recovered); none of them was saved.`,
  );
}
