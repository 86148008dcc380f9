import { StoreError } from "../errors.js";
import type { DecisionFilter, DecisionRecord, RunRecord, RunWrite } from "./db.js";
import { batchGrants, checkGrants } from "./grants.js";

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
  checkDecisions(writes);
  checkGrants(batchGrants(writes));
}

/** The entries of a writeRuns() batch, in the order the stores append them. */
export function batchDecisions(writes: readonly RunWrite[]): DecisionRecord[] {
  return writes.flatMap((write) => write.decisions ?? []);
}

/** A decision entry's key, (kind, runId, seq), as one string. */
export function decisionKey(entry: Pick<DecisionRecord, "kind" | "runId" | "seq">): string {
  return JSON.stringify([entry.kind, entry.runId, entry.seq]);
}

/** The message for a decision entry whose (kind, runId, seq) is stored already. */
export function decisionStoredMessage(entry: Pick<DecisionRecord, "kind" | "runId" | "seq">): string {
  return (
    `writeRuns() got decision entry ${entry.seq} of the ${entry.kind} run '${entry.runId}', which is ` +
    `stored already. The decisions table is append-only: a new entry takes the seq after the run's ` +
    `last stored one (listDecisions({ kind, runId }) lists them). Nothing was stored.`
  );
}

/** Refuses a batch with a malformed decision entry, or with one entry twice. */
function checkDecisions(writes: readonly RunWrite[]): void {
  const seen = new Set<string>();
  for (const entry of batchDecisions(writes)) {
    const problem = decisionProblem(entry);
    if (problem !== undefined) {
      throw new StoreError(
        `writeRuns() got a decision entry (${JSON.stringify(entry.kind)} run ${JSON.stringify(entry.runId)}, ` +
          `seq ${JSON.stringify(entry.seq)}) whose ${problem}; pass entries as DecisionRecord describes ` +
          `them. Nothing was stored.`,
      );
    }
    const key = decisionKey(entry);
    if (seen.has(key)) {
      throw new StoreError(
        `writeRuns() got decision entry ${entry.seq} of the ${entry.kind} run '${entry.runId}' twice; ` +
          `give each entry of a run its own seq. Nothing was stored.`,
      );
    }
    seen.add(key);
  }
}

const REQUIRED_TEXT = ["runId", "requirementId", "gateKind", "decision", "actorId", "shownDigest", "hash"] as const;
const OPTIONAL_TEXT = ["linkId", "prevHash"] as const;

/** What is wrong with an entry's shape, or undefined. The store checks shape only, never hashes. */
function decisionProblem(entry: DecisionRecord): string | undefined {
  // Entries may come from JavaScript callers or parsed JSON, so each field is checked at run time.
  const fields: Record<string, unknown> = { ...entry };
  if (entry.kind !== "agent" && entry.kind !== "workflow") return `kind is not "agent" or "workflow"`;
  for (const field of REQUIRED_TEXT) {
    const value = fields[field];
    if (typeof value !== "string" || value.length === 0) return `${field} is not a non-empty string`;
  }
  for (const field of OPTIONAL_TEXT) {
    const value = fields[field];
    if (value !== null && (typeof value !== "string" || value.length === 0)) {
      return `${field} is neither null nor a non-empty string`;
    }
  }
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) return "seq is not a whole number of 1 or more";
  if (!Number.isSafeInteger(entry.decidedAt)) return "decidedAt is not whole milliseconds since the epoch";
  const roles: unknown = fields["actorRoles"];
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === "string")) {
    return "actorRoles is not an array of strings";
  }
  if (typeof fields["automatic"] !== "boolean") return "automatic is not a boolean";
  return undefined;
}

/** Default and most entries of one listDecisions() page. */
export const DECISION_LIMITS = { default: 100, max: 1000 } as const;

/** Checks a listDecisions() filter and returns how many entries to read. */
export function checkDecisionFilter(filter: DecisionFilter): number {
  const limit = checkCount("listDecisions", "limit", filter.limit, DECISION_LIMITS.default);
  if (limit > DECISION_LIMITS.max) {
    throw new StoreError(
      `listDecisions() returns at most ${DECISION_LIMITS.max} entries per call, got limit ${limit}; ` +
        `pass a smaller limit and read the next page with { after: <the last entry of this page> }.`,
    );
  }
  if (filter.since !== undefined && !Number.isSafeInteger(filter.since)) {
    throw new StoreError(`listDecisions() needs since in whole milliseconds since the epoch, got ${filter.since}.`);
  }
  const { after } = filter;
  if (
    after !== undefined &&
    (!Number.isSafeInteger(after.decidedAt) ||
      (after.kind !== "agent" && after.kind !== "workflow") ||
      typeof after.runId !== "string" ||
      !Number.isSafeInteger(after.seq))
  ) {
    throw new StoreError(
      `listDecisions() needs after to be the previous page's last entry (its decidedAt, kind, runId ` +
        `and seq), got ${JSON.stringify(after)}.`,
    );
  }
  return limit;
}
