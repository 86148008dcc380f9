import type { Db, DecisionRecord, GrantRecord, RunWrite } from "../db/index.js";
import { ClaimLostError, RunAlreadyClaimedError } from "../errors.js";
import { type BaseRunState, type LoadedRun, type RunAccess, toRecord } from "./run-record.js";
import type { WriteBatch } from "./write-batch.js";

/**
 * The claim this process holds on a running run. While it is held:
 * - its lease is renewed every third of `leaseMs` (a heartbeat), so `recover()` in another
 *   process never takes over a run whose holder is alive, however long a tool runs;
 * - every write is a compare-and-set on the revision this holder last wrote, so once another
 *   process has taken the run over, the next write fails with {@link ClaimLostError} and the
 *   holder stops before any further side effect;
 * - `signal` aborts as soon as the claim is known to be lost, so a long tool can stop early.
 *
 * Writes and renewals go through one queue: a renewal never races this holder's own writes.
 */
export class Claim<T extends BaseRunState> {
  readonly db: Db;
  readonly access: RunAccess<T>;
  readonly state: T;
  readonly #leaseMs: number;
  readonly #abort = new AbortController();
  #revision: number;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lost: ClaimLostError | null = null;
  #released = false;
  /** True when the state changed since the last write: a checkpoint would store something new. */
  #dirty = false;
  /** Audit entries of decisions made while the run is claimed (a policy's), stored with the next write. */
  #decisions: DecisionRecord[] = [];

  /**
   * The batch whose lead write this run's insert waits for, while it is not stored yet (see
   * {@link Claim.insert}); null once it is stored.
   */
  #unstoredIn: WriteBatch | null;

  private constructor(
    db: Db,
    access: RunAccess<T>,
    state: T,
    revision: number,
    leaseMs: number,
    unstoredIn: WriteBatch | null = null,
  ) {
    this.db = db;
    this.access = access;
    this.state = state;
    this.#revision = revision;
    this.#leaseMs = leaseMs;
    this.#unstoredIn = unstoredIn;
    // A run not stored yet has no lease to renew.
    if (unstoredIn === null) this.#startRenewals();
  }

  /**
   * Stores a new run as `running` with a lease, before it does anything, and holds its claim.
   *
   * With `batch` (a workflow's, in the same Db) holding a lead write (the workflow's "step
   * started" checkpoint), the insert waits instead: the run is stored by its first write, in one
   * transaction with the lead write, or, when that first write is its final one
   * ({@link releaseInto}), with the workflow's next write. Until then it has made no call with a
   * side effect (a tool call is stored before it runs), so a crash loses nothing that happened:
   * the workflow run, stored as it was before the step started, starts the step again.
   */
  static async insert<T extends BaseRunState>(
    db: Db,
    access: RunAccess<T>,
    state: T,
    leaseMs: number,
    batch?: WriteBatch,
  ): Promise<Claim<T>> {
    state.status = "running";
    if (batch !== undefined && batch.db === db && batch.hasLead) return new Claim(db, access, state, 0, leaseMs, batch);
    await db.insertRun(toRecord(access, state, 1, Date.now() + leaseMs));
    return new Claim(db, access, state, 1, leaseMs);
  }

  /**
   * Holds the claim a caller stored itself, at `revision` (a workflow claims its step agent's run
   * in the workflow's own claim write: see prepareTake()).
   */
  static adopt<T extends BaseRunState>(
    db: Db,
    access: RunAccess<T>,
    state: T,
    revision: number,
    leaseMs: number,
  ): Claim<T> {
    return new Claim(db, access, state, revision, leaseMs);
  }

  /**
   * The write that claims a loaded run, for a caller that stores it with writes of its own in one
   * transaction (and then holds the claim with adopt() at `revision`); see take().
   */
  static prepareTake<T extends BaseRunState>(
    access: RunAccess<T>,
    loaded: LoadedRun<T>,
    leaseMs: number,
    decisions: readonly DecisionRecord[] = [],
    grants: readonly GrantRecord[] = [],
  ): RunWrite {
    loaded.state.status = "running";
    const record = toRecord(access, loaded.state, loaded.revision + 1, Date.now() + leaseMs);
    return { record, expectedRevision: loaded.revision, decisions, grants };
  }

  /**
   * Moves a loaded run (paused, pending in a queue, or ended with an error for a retry) to `running` with a
   * compare-and-set on its revision, storing what the caller changed in the same write. Exactly
   * one caller wins; the others get RunAlreadyClaimedError and must do nothing. `decisions`
   * (audit entries of what this call decided) and `grants` (standing approvals they made) are
   * stored in the same write, or not at all.
   */
  static async take<T extends BaseRunState>(
    db: Db,
    access: RunAccess<T>,
    loaded: LoadedRun<T>,
    leaseMs: number,
    decisions: readonly DecisionRecord[] = [],
    grants: readonly GrantRecord[] = [],
  ): Promise<Claim<T>> {
    loaded.state.status = "running";
    const revision = loaded.revision + 1;
    const record = toRecord(access, loaded.state, revision, Date.now() + leaseMs);
    // The decisions this claim acts on go into the audit table in the same transaction.
    const won =
      decisions.length === 0 && grants.length === 0
        ? await db.updateRun(record, loaded.revision)
        : await db.writeRuns([{ record, expectedRevision: loaded.revision, decisions, grants }]);
    if (!won) throw new RunAlreadyClaimedError(loaded.state.runId);
    return new Claim(db, access, loaded.state, revision, leaseMs);
  }

  /** Aborts once the claim is known to be lost. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Why the claim was lost, once it is known to be. */
  get lostError(): ClaimLostError | null {
    return this.#lost;
  }

  /** The revision of the last write this holder made. */
  get revision(): number {
    return this.#revision;
  }

  /** Notes that the state changed in a way worth storing before the next side effect. */
  markDirty(): void {
    this.#dirty = true;
  }

  /**
   * Adds audit entries (decisions made during the run, such as a policy's) to the next write, so
   * they are stored in the same transaction as the state that records them.
   */
  appendDecisions(entries: readonly DecisionRecord[]): void {
    this.#decisions.push(...entries);
    this.#dirty = true;
  }

  /** Throws ClaimLostError when the claim is already known to be lost. */
  check(): void {
    if (this.#lost !== null) throw this.#lost;
  }

  /**
   * Stores the state as it is now, still `running`, renewing the lease: a checkpoint. Writes held
   * in `batch` go in the same transaction. Throws ClaimLostError when another process took the
   * run over; the caller must stop.
   */
  async checkpoint(batch?: WriteBatch): Promise<void> {
    this.state.status = "running";
    await this.#write(batch, false);
  }

  /** Writes a checkpoint only when the state changed since the last write. */
  async flush(batch?: WriteBatch): Promise<void> {
    if (this.#dirty || (batch !== undefined && batch.size > 0)) await this.checkpoint(batch);
  }

  /**
   * Stores the run's outcome (paused, completed, cancelled or error) without a lease and lets the
   * claim go. Writes held in `batch` go in the same transaction.
   */
  async release(batch?: WriteBatch): Promise<void> {
    await this.#write(batch, true);
  }

  /**
   * Hands the final write to `batch`, to be stored with the batch owner's next write, and lets
   * the claim go: a workflow stores its step agent's outcome with its own save.
   */
  async releaseInto(batch: WriteBatch): Promise<void> {
    this.#stop();
    await this.#queue;
    this.check();
    const record = toRecord(this.access, this.state, this.#revision + 1, null);
    // A run not stored yet is inserted by this write, as it ended.
    const expectedRevision = this.#unstoredIn === null ? this.#revision : null;
    this.#unstoredIn = null;
    batch.hold({ record, expectedRevision, ...this.#takeDecisions() });
    this.#revision += 1;
    this.#released = true;
  }

  /** Stops renewing without writing anything (the store failed; recover() will take over). */
  abandon(): void {
    this.#stop();
    this.#released = true;
  }

  async #write(batch: WriteBatch | undefined, final: boolean): Promise<void> {
    this.check();
    if (this.#released)
      throw new Error(
        `kern internal error: a write to ${this.access.what} '${this.state.runId}' after its claim was released.`,
      );
    if (final) this.#stop();
    // Encoded now: the caller may change the state again as soon as this returns.
    const record = toRecord(this.access, this.state, 0, final ? null : Date.now() + this.#leaseMs);
    if (batch !== undefined && batch.db !== this.db)
      throw new Error("kern internal error: writes held for another Db cannot share this claim's transaction.");
    const held = batch?.take() ?? [];
    const decisions = this.#takeDecisions();
    const unstoredIn = this.#unstoredIn;
    if (unstoredIn !== null) {
      await this.#insertFirst(unstoredIn, { record, expectedRevision: null, ...decisions }, held, final);
      return;
    }
    await this.#enqueue(async () => {
      const expectedRevision = this.#revision;
      record.revision = expectedRevision + 1;
      const write: RunWrite = { record, expectedRevision, ...decisions };
      const won =
        held.length > 0 || write.decisions !== undefined
          ? await this.db.writeRuns([...held, write])
          : await this.db.updateRun(record, expectedRevision);
      if (!won)
        this.#lose(
          held.length > 0 ? "it, or a run written with it, changed in the store" : "the run changed in the store",
        );
      this.check();
      this.#revision = expectedRevision + 1;
      this.#dirty = false;
    });
    if (final) this.#released = true;
  }

  /**
   * The first write of a run whose insert waited for `batch`'s lead write: inserts it, with the
   * lead write when it still waits (else in a transaction of its own), then renews its lease.
   */
  async #insertFirst(batch: WriteBatch, write: RunWrite, held: RunWrite[], final: boolean): Promise<void> {
    write.record.revision = 1;
    if (batch.hasLead) {
      for (const other of [...held, write]) batch.hold(other);
      // The lead's owner stores what the batch holds with its own write, or fails with its ClaimLostError.
      await batch.runLead();
    } else if (!(await this.db.writeRuns([...held, write]))) {
      this.#lose("a write stored with it changed in the store");
    }
    this.#unstoredIn = null;
    this.#revision = 1;
    this.#dirty = false;
    if (final) this.#released = true;
    else this.#startRenewals();
  }

  #startRenewals(): void {
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref?.();
  }

  /** The pending audit entries, as a write's `decisions` (none: no field). */
  #takeDecisions(): { decisions?: DecisionRecord[] } {
    if (this.#decisions.length === 0) return {};
    const decisions = this.#decisions;
    this.#decisions = [];
    return { decisions };
  }

  /** One heartbeat: extends the lease at the current revision, or learns the claim is lost. */
  async #renew(): Promise<void> {
    await this.#enqueue(async () => {
      if (this.#released || this.#lost !== null || this.#unstoredIn !== null) return;
      const leaseExpiresAt = Date.now() + this.#leaseMs;
      let renewed: boolean;
      try {
        renewed = await this.db.renewLease(this.access.kind, this.state.runId, this.#revision, leaseExpiresAt);
      } catch {
        // No answer: the renewal may or may not have been stored. The next beat tries again, from
        // the revision the store now holds if it was this renewal that moved it.
        await this.#adoptUnansweredRenewal(leaseExpiresAt);
        return;
      }
      if (renewed) this.#revision += 1;
      else this.#lose("another process took it over after its lease lapsed");
    }).catch(() => undefined);
  }

  /** After a renewal nobody answered: if the store shows exactly that renewal, it was stored. */
  async #adoptUnansweredRenewal(leaseExpiresAt: number): Promise<void> {
    const stored = await this.db.getRun(this.access.kind, this.state.runId).catch(() => null);
    if (
      stored?.status === "running" &&
      stored.revision === this.#revision + 1 &&
      stored.leaseExpiresAt === leaseExpiresAt
    )
      this.#revision += 1;
  }

  #lose(detail: string): never {
    this.#lost ??= new ClaimLostError(this.access.what, this.state.runId, detail);
    this.#stop();
    this.#abort.abort(this.#lost);
    throw this.#lost;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs `work` after everything queued before it, whatever became of that. */
  #enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
