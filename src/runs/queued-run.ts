import type { Db } from "../db/index.js";
import {
  ConfigurationError,
  RunAlreadyClaimedError,
  RunNotPausedError,
  UnresolvedRequirementError,
} from "../errors.js";
import type { RunStatus } from "./agent-run-state.js";
import type { QueuedRunOutcome } from "./run-queue.js";
import { type BaseRunState, decodeRecord, type LoadedRun, type RunAccess } from "./run-record.js";

/** How one kind of run is taken from the queue. */
export interface QueuedRunHooks<T extends BaseRunState> {
  /** The agent's or workflow's id: the job's run must be one of its runs. */
  ownerId: string;
  /** Claims a `pending` run (a compare-and-set) and drives it as the enqueuing call would have. */
  adopt(loaded: LoadedRun<T>): Promise<{ status: RunStatus }>;
  /** Continues a paused run with nothing new: it goes on only when no person must decide. */
  resume(ref: { runId: string; sessionId: string }): Promise<{ status: RunStatus }>;
}

/**
 * Handles one doorbell for a stored run: a `pending` run is claimed and driven; a paused run
 * with nothing left for a person is continued; anything else is left as it is. Losing a race
 * (another worker, a person's continue) is a normal outcome, not an error. A run that fails while
 * it runs is stored as `error` and reported so; only a failure of the store itself throws (the
 * run is then left for recover()).
 */
export async function processQueued<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  ref: { runId: string; sessionId: string },
  hooks: QueuedRunHooks<T>,
): Promise<QueuedRunOutcome> {
  const { runId } = ref;
  const record = await db.getRun(access.kind, runId);
  if (record === null || record.sessionId !== ref.sessionId) return { action: "skipped", runId, reason: "not-found" };
  if (record.ownerId !== hooks.ownerId)
    throw new ConfigurationError(
      `Run '${runId}' belongs to ${access.kind} '${record.ownerId}', not '${hooks.ownerId}'; route its jobs to that ${access.kind}.`,
    );
  if (record.status === "running") return { action: "skipped", runId, reason: "running" };
  if (record.status !== "pending" && record.status !== "paused")
    return { action: "skipped", runId, reason: "finished" };
  try {
    const { status } =
      record.status === "pending" ? await hooks.adopt(decodeRecord(access, record)) : await hooks.resume(ref);
    return { action: "ran", runId, status };
  } catch (error) {
    if (error instanceof UnresolvedRequirementError) return { action: "skipped", runId, reason: "needs-decision" };
    if (error instanceof RunAlreadyClaimedError || error instanceof RunNotPausedError)
      return { action: "skipped", runId, reason: "claimed-elsewhere" };
    // A failure inside the run is stored with the run; report what was stored.
    const stored = await db.getRun(access.kind, runId);
    if (stored !== null && (stored.status === "error" || stored.status === "cancelled"))
      return { action: "ran", runId, status: stored.status };
    throw error;
  }
}
