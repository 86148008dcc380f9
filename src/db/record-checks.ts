import { StoreError } from "../errors.js";
import type { RunRecord } from "./db.js";

/** Checks every store applies to records, so all three refuse the same bad input the same way. */

/** Refuses a record that lists the same pending requirement twice. */
export function checkPendingIds(record: RunRecord): void {
  const seen = new Set<string>();
  for (const { requirementId } of record.pending) {
    if (seen.has(requirementId)) {
      throw new StoreError(
        `The ${record.kind} run '${record.runId}' lists pending requirement '${requirementId}' ` +
          `twice; each pending requirement id must appear once. Nothing was stored.`,
      );
    }
    seen.add(requirementId);
  }
}

/** Refuses an update whose revision is not exactly one past the expected one. */
export function checkNextRevision(record: RunRecord, expectedRevision: number): void {
  if (record.revision !== expectedRevision + 1) {
    throw new StoreError(
      `updateRun() for the ${record.kind} run '${record.runId}' got revision ${record.revision} ` +
        `with expectedRevision ${expectedRevision}; pass a record whose revision is ` +
        `expectedRevision + 1. Nothing was stored.`,
    );
  }
}

/** Reads a limit or offset: a whole number of 0 or more, or the fallback. */
export function checkCount(operation: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreError(`${operation}() needs ${name} to be a whole number of 0 or more, got ${value}.`);
  }
  return value;
}

/** The message for an insertRun() of a run that already exists. */
export function alreadyStoredMessage(record: RunRecord): string {
  return (
    `A ${record.kind} run '${record.runId}' is already stored; insertRun() only stores new ` +
    `runs, use updateRun() with the stored revision to change it.`
  );
}
