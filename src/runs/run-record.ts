import type { Db, PendingRequirementRecord, RunKind, RunRecord } from "../db/index.js";
import { RunNotFoundError } from "../errors.js";
import type { RunStatus } from "./agent-run-state.js";
import { parseStateText } from "./codec.js";

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

/** The stored record of `state` at `revision`; stamps `updatedAt`. */
export function toRecord<T extends BaseRunState>(
  access: RunAccess<T>,
  state: T,
  revision: number,
  leaseExpiresAt: number | null,
): RunRecord {
  state.updatedAt = Date.now();
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

/** Reads a stored record's state, migrating and validating it (StateVersionError, StateCorruptError). */
export function decodeRecord<T extends BaseRunState>(access: RunAccess<T>, record: RunRecord): LoadedRun<T> {
  return { state: access.decode(parseStateText(record.state, access.what)), revision: record.revision };
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
  return decodeRecord(access, record);
}

/**
 * Replaces a stored run if its revision is still `previousRevision`, without a lease (recovery,
 * which takes over a run whose holder stopped renewing). Returns false, changing nothing, when
 * another caller wrote it first.
 */
export async function compareAndSave<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  state: T,
  previousRevision: number,
): Promise<boolean> {
  return db.updateRun(toRecord(access, state, previousRevision + 1, null), previousRevision);
}
