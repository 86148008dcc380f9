import type { PendingFilter, PendingRequirementRow, RunRecord } from "../db.js";
import { compareText } from "./compare-text.js";

/** One stored run, plus when each of its pending requirements first became pending. */
export interface StoredRun {
  record: RunRecord;
  pendingSince: ReadonlyMap<string, number>;
}

/** A requirement that stays pending across a write keeps the time it first became pending. */
export function pendingSince(record: RunRecord, previous: StoredRun | undefined): Map<string, number> {
  const since = new Map<string, number>();
  for (const requirement of record.pending) {
    const kept = previous?.pendingSince.get(requirement.requirementId);
    since.set(requirement.requirementId, kept ?? record.updatedAt);
  }
  return since;
}

export function pendingRows(stored: StoredRun): PendingRequirementRow[] {
  const { record } = stored;
  return record.pending.map((requirement) => ({
    ...requirement,
    kind: record.kind,
    runId: record.runId,
    sessionId: record.sessionId,
    ownerId: record.ownerId,
    createdAt: stored.pendingSince.get(requirement.requirementId) ?? record.updatedAt,
  }));
}

export function matchesPending(row: PendingRequirementRow, filter: PendingFilter): boolean {
  if (filter.kind !== undefined && row.kind !== filter.kind) return false;
  if (filter.ownerId !== undefined && row.ownerId !== filter.ownerId) return false;
  if (filter.requirementKind !== undefined && row.requirementKind !== filter.requirementKind) {
    return false;
  }
  if (filter.createdBefore !== undefined && row.createdAt > filter.createdBefore) return false;
  if (filter.after !== undefined) {
    const after = { ...filter.after, kind: filter.after.kind ?? "" };
    if (comparePending(row, after) <= 0) return false;
  }
  return true;
}

type PendingKey = Pick<PendingRequirementRow, "createdAt" | "runId" | "requirementId"> & {
  kind: string;
};

/** The inbox order: oldest first, then run id, requirement id and kind, as the SQL stores do. */
export function comparePending(left: PendingKey, right: PendingKey): number {
  return (
    left.createdAt - right.createdAt ||
    compareText(left.runId, right.runId) ||
    compareText(left.requirementId, right.requirementId) ||
    compareText(left.kind, right.kind)
  );
}
