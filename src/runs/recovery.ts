import type { Db, RunKind, RunSummary } from "../db/index.js";
import { KernError } from "../errors.js";
import { type BaseRunState, decodeRecord, type LoadedRun, type RunAccess } from "./run-record.js";

/** A stored run that recovery or the timeout sweep could not handle, left as it is. */
export interface SkippedRun {
  kind: RunKind;
  runId: string;
  sessionId: string;
  /** The kern error code, e.g. KERN_STATE_CORRUPT, or KERN_STATE_VERSION for a row a newer kern wrote. */
  code: string;
  reason: string;
}

/** Every run of one owner with this status, listed page by page before any of them changes. */
export async function listAll(
  db: Db,
  kind: RunKind,
  ownerId: string,
  status: "running" | "paused",
): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  const limit = 500;
  for (let offset = 0; ; offset += limit) {
    const page = await db.listRuns({ kind, ownerId, status, limit, offset });
    runs.push(...page);
    if (page.length < limit) return runs;
  }
}

/** Every `running` run of one owner whose claim expired at or before `now`. */
export async function expiredRuns(db: Db, kind: RunKind, ownerId: string, now: number): Promise<RunSummary[]> {
  const running = await listAll(db, kind, ownerId, "running");
  return running.filter((run) => run.leaseExpiresAt !== null && run.leaseExpiresAt <= now);
}

/**
 * Visits each listed run, loaded and decoded, one at a time. A run that cannot be read (corrupt
 * JSON, a schema version from a newer kern) or whose visit fails is reported and left as it is;
 * the others are visited all the same. Returns what was skipped.
 */
export async function visitEach<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  runs: readonly RunSummary[],
  visit: (loaded: LoadedRun<T>, summary: RunSummary) => Promise<void>,
): Promise<SkippedRun[]> {
  const skipped: SkippedRun[] = [];
  for (const summary of runs) {
    try {
      const record = await db.getRun(access.kind, summary.runId);
      if (record === null) continue;
      await visit(decodeRecord(access, record), summary);
    } catch (error) {
      skipped.push({
        kind: access.kind,
        runId: summary.runId,
        sessionId: summary.sessionId,
        code: error instanceof KernError ? error.code : "KERN_UNEXPECTED",
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return skipped;
}
