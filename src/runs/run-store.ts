import type { Db, PendingRequirementRecord, RunKind, RunRecord, RunWrite } from "../db/db.js";
import { RunAlreadyClaimedError, RunNotFoundError, StoreError } from "../errors.js";
import type { RunStatus } from "./agent-run-state.js";
import { parseStateText } from "./codec.js";
import { storeWrites, type WriteBatch } from "./write-batch.js";

/** The fields every run state (agent or workflow) has, which the store indexes. */
export interface BaseRunState {
  runId: string;
  sessionId: string;
  userId: string | null;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
}

/** How the store reads and indexes one kind of run. */
export interface RunAccess<T extends BaseRunState> {
  kind: RunKind;
  what: string;
  decode(json: unknown): T;
  /** The form that is stored (sparse JSON). */
  encode(state: T): unknown;
  ownerId(state: T): string;
  pending(state: T): PendingRequirementRecord[];
}

/** A run as loaded, with the revision a later compare-and-set must match. */
export interface LoadedRun<T> {
  state: T;
  revision: number;
}

/** How long a claim holds a run before `recover()` may hand it to someone else. */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

function toRecord<T extends BaseRunState>(
  access: RunAccess<T>,
  state: T,
  revision: number,
  leaseExpiresAt: number | null,
): RunRecord {
  return {
    kind: access.kind,
    runId: state.runId,
    sessionId: state.sessionId,
    userId: state.userId,
    ownerId: access.ownerId(state),
    status: state.status,
    revision,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    leaseExpiresAt,
    state: JSON.stringify(access.encode(state)),
    pending: state.status === "paused" ? access.pending(state) : [],
  };
}

/** Loads and validates a stored run; throws RunNotFoundError when it is not in this session. */
export async function loadRun<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  runId: string,
  sessionId: string,
): Promise<LoadedRun<T>> {
  const record = await db.getRun(access.kind, runId);
  if (record === null || record.sessionId !== sessionId) {
    throw new RunNotFoundError(runId, sessionId);
  }
  const state = access.decode(parseStateText(record.state, access.what));
  return { state, revision: record.revision };
}

/**
 * Moves a loaded paused run to `running` with a compare-and-set on its revision, storing the
 * decisions it carries in the same write. Exactly one caller wins; the others get
 * RunAlreadyClaimedError and must do nothing.
 */
export async function claimRun<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  loaded: LoadedRun<T>,
  leaseMs: number = DEFAULT_LEASE_MS,
): Promise<LoadedRun<T>> {
  const now = Date.now();
  loaded.state.status = "running";
  loaded.state.updatedAt = now;
  const revision = loaded.revision + 1;
  const won = await db.updateRun(toRecord(access, loaded.state, revision, now + leaseMs), loaded.revision);
  if (!won) {
    throw new RunAlreadyClaimedError(loaded.state.runId);
  }
  return { state: loaded.state, revision };
}

/**
 * Replaces a stored run if its revision is still `previousRevision`, releasing any lease.
 * Returns false, changing nothing, when another caller wrote it first.
 */
export async function compareAndSave<T extends BaseRunState>(db: Db, access: RunAccess<T>, state: T, previousRevision: number): Promise<boolean> {
  state.updatedAt = Date.now();
  return db.updateRun(toRecord(access, state, previousRevision + 1, null), previousRevision);
}

/**
 * Stores a run's state: inserts it when `previousRevision` is null, else compare-and-sets on
 * the revision this caller holds. Writes held in `batch` are stored in the same transaction.
 * Returns the new revision.
 */
export async function saveRun<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  state: T,
  previousRevision: number | null,
  batch?: WriteBatch,
): Promise<number> {
  if (batch !== undefined && batch.db === db) {
    const held = batch.take();
    if (held.length > 0) {
      await storeWrites(db, [...held, runWrite(access, state, previousRevision)]);
      return (previousRevision ?? 0) + 1;
    }
  }
  await batch?.flush();
  state.updatedAt = Date.now();
  if (previousRevision === null) {
    await db.insertRun(toRecord(access, state, 1, null));
    return 1;
  }
  const won = await compareAndSave(db, access, state, previousRevision);
  if (!won) {
    throw new StoreError(
      `Run '${state.runId}' changed in the store while this process held its claim (the lease ` +
        `may have expired and been recovered); this result was not saved.`,
    );
  }
  return previousRevision + 1;
}

/** Holds a run's save in `batch`, to be stored with the batch's next write. Returns the new revision. */
export function holdRun<T extends BaseRunState>(batch: WriteBatch, access: RunAccess<T>, state: T, previousRevision: number | null): number {
  batch.hold(runWrite(access, state, previousRevision));
  return (previousRevision ?? 0) + 1;
}

/** The write that stores `state` after `previousRevision` (null: insert), releasing any lease. */
function runWrite<T extends BaseRunState>(access: RunAccess<T>, state: T, previousRevision: number | null): RunWrite {
  state.updatedAt = Date.now();
  return { record: toRecord(access, state, (previousRevision ?? 0) + 1, null), expectedRevision: previousRevision };
}
