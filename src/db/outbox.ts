import { StoreError } from "../errors.js";
import type {
  DecisionRecord,
  OutboxClaim,
  OutboxEntry,
  OutboxEvent,
  OutboxEventType,
  OutboxFilter,
  OutboxOutcome,
  OutboxPrune,
  RunRecord,
  RunWrite,
} from "./db.js";

/**
 * The outbox events a write enqueues, derived from what it stores, and the checks every store
 * shares. The outbox is a view of the pending rows and the decisions table, never a second
 * source of truth: each event is keyed by what it reports, so storing the same pending row again
 * (every write of a paused run does) enqueues nothing new.
 */

/** Default and most entries of one listOutbox() page or claim. */
export const OUTBOX_LIMITS = { default: 100, max: 1000 } as const;

/** One "requirement.paused" event per pending requirement of the record. */
export function pauseEvents(record: RunRecord): OutboxEvent[] {
  return record.pending.map((requirement) => ({
    key: eventKey(record.kind, record.runId, requirement.requirementId, "requirement.paused"),
    type: "requirement.paused",
    kind: record.kind,
    runId: record.runId,
    sessionId: record.sessionId,
    ownerId: record.ownerId,
    requirementId: requirement.requirementId,
    data: JSON.stringify({ requirementKind: requirement.requirementKind, summary: requirement.summary }),
    createdAt: record.updatedAt,
  }));
}

/** One event per decisions-table entry of the batch, with its run's session and owner from the batch. */
export function decisionEvents(writes: readonly RunWrite[]): OutboxEvent[] {
  const runs = new Map(writes.map(({ record }) => [`${record.kind}:${record.runId}`, record]));
  return writes.flatMap((write) =>
    (write.decisions ?? []).map((entry) => {
      const run = runs.get(`${entry.kind}:${entry.runId}`);
      const { type, level } = eventTypeOf(entry);
      const key = eventKey(entry.kind, entry.runId, entry.requirementId, type);
      return {
        key: level === undefined ? key : `${key}:${level}`,
        type,
        kind: entry.kind,
        runId: entry.runId,
        // A decision is stored with its own run's write; the fallback only guards a store caller's batch.
        sessionId: run?.sessionId ?? write.record.sessionId,
        ownerId: run?.ownerId ?? write.record.ownerId,
        requirementId: entry.requirementId,
        data: JSON.stringify(decisionData(entry)),
        createdAt: entry.decidedAt,
      };
    }),
  );
}

/** `kind:runId:requirementId:type`, each id percent-encoded: unambiguous, and safe in an HTTP header. */
function eventKey(kind: string, runId: string, requirementId: string, type: OutboxEventType): string {
  return [kind, encodeURIComponent(runId), encodeURIComponent(requirementId), type].join(":");
}

function eventTypeOf(entry: DecisionRecord): { type: OutboxEventType; level?: number } {
  const decision = parseDecision(entry.decision);
  if (decision["type"] === "timeout") return { type: "requirement.timed_out" };
  if (decision["type"] === "escalate") {
    const level = decision["level"];
    return { type: "requirement.escalated", level: typeof level === "number" ? level : entry.seq };
  }
  return { type: "requirement.decided" };
}

function parseDecision(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : {};
  } catch {
    return {};
  }
}

function decisionData(entry: DecisionRecord): Record<string, unknown> {
  return {
    seq: entry.seq,
    gateKind: entry.gateKind,
    decision: parseDecision(entry.decision),
    actorId: entry.actorId,
    actorRoles: entry.actorRoles,
    automatic: entry.automatic,
    decidedAt: new Date(entry.decidedAt).toISOString(),
    linkId: entry.linkId,
  };
}

/** Refuses a malformed claim before anything is read. */
export function checkClaim(claim: OutboxClaim): void {
  const { token, now, leaseMs, limit } = claim;
  if (typeof token !== "string" || token.length === 0 || !Number.isSafeInteger(now) || !Number.isSafeInteger(leaseMs))
    throw new StoreError(
      `claimOutbox() needs a non-empty token and now and leaseMs in whole milliseconds; got ${JSON.stringify(claim)}.`,
    );
  if (leaseMs < 1 || !Number.isSafeInteger(limit) || limit < 1 || limit > OUTBOX_LIMITS.max)
    throw new StoreError(
      `claimOutbox() needs leaseMs of 1 or more and limit from 1 to ${OUTBOX_LIMITS.max}; got ${leaseMs} and ${limit}.`,
    );
}

/** Refuses a malformed outcome before anything is written. */
export function checkOutcome(outcome: OutboxOutcome): void {
  const { attempts, nextAttemptAt, deliveredTo, deliveredAt, lastError } = outcome;
  const wellFormed =
    Number.isSafeInteger(attempts) &&
    Number.isSafeInteger(nextAttemptAt) &&
    Array.isArray(deliveredTo) &&
    deliveredTo.every((name) => typeof name === "string") &&
    (deliveredAt === null || Number.isSafeInteger(deliveredAt)) &&
    (lastError === null || typeof lastError === "string");
  if (!wellFormed)
    throw new StoreError(
      `settleOutbox() got an outcome that is not what OutboxOutcome describes: ${JSON.stringify(outcome)}. Nothing was stored.`,
    );
}

/** Checks a listOutbox() filter and returns how many entries to read. */
export function checkOutboxFilter(filter: OutboxFilter): number {
  const limit = filter.limit ?? OUTBOX_LIMITS.default;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > OUTBOX_LIMITS.max)
    throw new StoreError(`listOutbox() needs limit to be a whole number from 0 to ${OUTBOX_LIMITS.max}, got ${limit}.`);
  const { after } = filter;
  if (after !== undefined && (!Number.isSafeInteger(after.createdAt) || typeof after.key !== "string"))
    throw new StoreError(
      `listOutbox() needs after to be the previous page's last entry, got ${JSON.stringify(after)}.`,
    );
  return limit;
}

/** Default and most entries one pruneOutbox() call deletes. */
export const PRUNE_LIMITS = { default: 1000, max: 10_000 } as const;

/** Checks a pruneOutbox() request and returns how many entries it may delete. */
export function checkPrune(prune: OutboxPrune): number {
  const limit = prune.limit ?? PRUNE_LIMITS.default;
  if (
    !Number.isSafeInteger(prune.deliveredBefore) ||
    !Number.isSafeInteger(limit) ||
    limit < 1 ||
    limit > PRUNE_LIMITS.max
  )
    throw new StoreError(
      `pruneOutbox() needs deliveredBefore in whole milliseconds and limit from 1 to ${PRUNE_LIMITS.max}; got ${JSON.stringify(prune)}. Nothing was deleted.`,
    );
  return limit;
}

/** Whether a delivered entry may go: nothing can enqueue it again (see Db.pruneOutbox). */
export function isPrunable(entry: OutboxEntry, deliveredBefore: number, runStatus: string | null): boolean {
  if (entry.deliveredAt === null || entry.deliveredAt >= deliveredBefore) return false;
  return (
    entry.type !== "requirement.paused" || runStatus === null || runStatus === "completed" || runStatus === "cancelled"
  );
}

/** The listing and claiming order of every store: oldest first, then the key as bytes. */
export function compareOutbox(
  left: Pick<OutboxEntry, "createdAt" | "key">,
  right: Pick<OutboxEntry, "createdAt" | "key">,
): number {
  if (left.createdAt !== right.createdAt) return left.createdAt - right.createdAt;
  return Buffer.compare(Buffer.from(left.key), Buffer.from(right.key));
}

/** A new entry for an enqueued event: due at once, delivered nowhere. */
export function newEntry(event: OutboxEvent): OutboxEntry {
  return {
    ...event,
    attempts: 0,
    nextAttemptAt: event.createdAt,
    deliveredTo: [],
    deliveredAt: null,
    lastError: null,
    leaseExpiresAt: null,
  };
}

/** Whether a claim at `now` may take the entry. */
export function isClaimable(entry: OutboxEntry, now: number): boolean {
  return (
    entry.deliveredAt === null &&
    entry.nextAttemptAt <= now &&
    (entry.leaseExpiresAt === null || entry.leaseExpiresAt <= now)
  );
}
