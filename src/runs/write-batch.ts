import type { Db, RunWrite } from "../db/index.js";

/**
 * Run writes held back so that they are stored with the next write to the same Db, in one
 * transaction: a workflow holds the final save of its step's agent run and stores it with its
 * own next write (the next step's start, its pause or its end), before anything else can act.
 */
export class WriteBatch {
  readonly db: Db;
  #writes: RunWrite[] = [];

  constructor(db: Db) {
    this.db = db;
  }

  get size(): number {
    return this.#writes.length;
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
}

/**
 * The option key under which a workflow passes its batch to its step's agent. A symbol, so it
 * never shows up among the options an application can pass.
 */
export const holdWritesIn: unique symbol = Symbol("kern.holdWritesIn");
