import type { PendingRequirementRecord, RunKind, RunRecord } from "./db.js";

/** One row of the pending-requirement index, as both SQL stores bind it. */
export interface PendingRow {
  kind: RunKind;
  runId: string;
  requirementId: string;
  position: number;
  sessionId: string;
  ownerId: string;
  requirementKind: string;
  summary: string;
  /** A requirement that stays pending keeps the created_at of the write that first stored it. */
  createdAt: number;
}

/** The run's pending requirement at `position`, as an index row. */
export function pendingRowOf(record: RunRecord, requirement: PendingRequirementRecord, position: number): PendingRow {
  return {
    kind: record.kind,
    runId: record.runId,
    requirementId: requirement.requirementId,
    position,
    sessionId: record.sessionId,
    ownerId: record.ownerId,
    requirementKind: requirement.requirementKind,
    summary: requirement.summary,
    createdAt: record.updatedAt,
  };
}
