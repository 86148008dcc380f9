import { StoreError } from "../errors.js";
import type { RunRecord, RunWrite } from "./db.js";

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

/** Refuses a lease renewal whose revision or expiry is not a whole number. */
export function checkLeaseRenewal(expectedRevision: number, leaseExpiresAt: number): void {
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 1 || !Number.isSafeInteger(leaseExpiresAt)) {
    throw new StoreError(
      `renewLease() needs a stored revision (a whole number of 1 or more) and a lease expiry in ` +
        `whole milliseconds since the epoch; got ${expectedRevision} and ${leaseExpiresAt}. Nothing was stored.`,
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

/** The fields a run keeps from its insert for its whole life. */
export interface FixedFields {
  sessionId: string;
  ownerId: string;
  createdAt: number;
  userId: string | null;
}

/** The fixed fields whose value in `record` differs from the stored run's, in a fixed order. */
export function changedFixedFields(record: RunRecord, stored: FixedFields): Array<keyof FixedFields> {
  const fields: Array<keyof FixedFields> = ["sessionId", "ownerId", "createdAt", "userId"];
  // PostgreSQL hands BIGINT back as a string unless an app changed pg's type parsers.
  return fields.filter((field) =>
    field === "createdAt" ? Number(stored.createdAt) !== record.createdAt : record[field] !== stored[field],
  );
}

/** The message for an updateRun() that tries to change what a run keeps for life. */
export function changedFixedFieldMessage(record: RunRecord, stored: FixedFields): string {
  const changed = changedFixedFields(record, stored)
    .map((field) => {
      const was = field === "createdAt" ? Number(stored.createdAt) : stored[field];
      return `${field} ${JSON.stringify(was)} -> ${JSON.stringify(record[field])}`;
    })
    .join(", ");
  return (
    `updateRun() for the ${record.kind} run '${record.runId}' tried to change ${changed}; a run ` +
    `keeps its sessionId, ownerId, userId and createdAt from its insert. Nothing was stored.`
  );
}

/** Checks a writeRuns() batch before anything is written: each record alone, and each run once. */
export function checkWrites(writes: readonly RunWrite[]): void {
  const seen = new Set<string>();
  for (const { record, expectedRevision } of writes) {
    const key = `${record.kind}:${record.runId}`;
    if (seen.has(key)) {
      throw new StoreError(
        `writeRuns() got the ${record.kind} run '${record.runId}' twice; write each run once per ` +
          `call. Nothing was stored.`,
      );
    }
    seen.add(key);
    if (expectedRevision !== null) checkNextRevision(record, expectedRevision);
    checkPendingIds(record);
  }
}
