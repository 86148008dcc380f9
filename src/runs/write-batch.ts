import type { Db, RunWrite } from "../db/index.js";

/**
 * Run writes held back so that they are stored with the next write to the same Db, in one
 * transaction: a workflow holds the final save of its step's agent run and stores it with its
 * own next write (the next step's start, its pause or its end), before anything else can act.
 */
export class WriteBatch {
  readonly db: Db;
  #writes: RunWrite[] = [];
  #lead: (() => Promise<void>) | null = null;

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

  /**
   * Sets the batch owner's write that must be stored before, or with, the first write of the run
   * that shares this batch: a workflow's "step started" checkpoint, stored with its step agent's
   * first write instead of in a commit of its own. `write` stores what the batch holds with it.
   */
  leadWith(write: () => Promise<void>): void {
    this.#lead = write;
  }

  /** True while a lead write waits: a run inserted now may wait to be stored with it. */
  get hasLead(): boolean {
    return this.#lead !== null;
  }

  /** Stores the lead write with everything the batch holds, once. */
  async runLead(): Promise<void> {
    const lead = this.#lead;
    this.#lead = null;
    if (lead === null) throw new Error("kern internal error: a write batch has no lead write to store.");
    await lead();
  }

  /** Forgets the lead write: its owner stores its own state with its next write. */
  dropLead(): void {
    this.#lead = null;
  }
}

/**
 * The option key under which a workflow passes its batch to its step's agent. A symbol, so it
 * never shows up among the options an application can pass.
 */
export const holdWritesIn: unique symbol = Symbol("kern.holdWritesIn");

/**
 * The option key under which a workflow continues, retries or cancels its step agent's run: the
 * id of the workflow run, whose claim it holds. An agent run that belongs to a workflow run is
 * only ever moved on by that run's holder, so one claim covers the whole tree: without the key,
 * continuing it directly is refused and names the workflow run to continue instead.
 */
export const parentClaim: unique symbol = Symbol("kern.parentClaim");
