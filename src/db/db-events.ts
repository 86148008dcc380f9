import type { RunKind } from "./db.js";

/** What the outbox and the run-event log store: the records behind {@link Db}'s outbox and event methods. */

/** What an outbox event reports: a new pause, a decision, a lapsed deadline's decision, an escalation. */
export type OutboxEventType =
  | "requirement.paused"
  | "requirement.decided"
  | "requirement.timed_out"
  | "requirement.escalated";

/**
 * One event of the outbox, enqueued by the store in the transaction that stored what it reports
 * (a pending requirement, a decisions-table entry), so an event is never lost nor made up.
 */
export interface OutboxEvent {
  /** Unique: kind, run id, requirement id and type (an escalation adds its level). */
  key: string;
  type: OutboxEventType;
  kind: RunKind;
  runId: string;
  sessionId: string;
  ownerId: string;
  requirementId: string;
  /** JSON text of what the event says (the pending row, or the decisions-table entry). */
  data: string;
  createdAt: number;
}

/** An outbox event with its delivery state. */
export interface OutboxEntry extends OutboxEvent {
  attempts: number;
  /** Not claimed before this time (ms since epoch). */
  nextAttemptAt: number;
  /** The names of the channels that took it. */
  deliveredTo: string[];
  /** When every channel had taken it, or null while some have not. */
  deliveredAt: number | null;
  lastError: string | null;
  /** While claimed, when the claim lapses; else null. */
  leaseExpiresAt: number | null;
}

/** A claim of due, undelivered, unclaimed outbox entries: see {@link Db.claimOutbox}. */
export interface OutboxClaim {
  /** Names this claim; {@link Db.settleOutbox} needs it. */
  token: string;
  now: number;
  leaseMs: number;
  limit: number;
}

/** What one delivery pass of an entry achieved. */
export type OutboxOutcome = Pick<
  OutboxEntry,
  "attempts" | "nextAttemptAt" | "deliveredTo" | "deliveredAt" | "lastError"
>;

export interface OutboxFilter {
  /** Only entries some channel has still to take. */
  undelivered?: boolean;
  /** At most this many (default 100, at most 1000), oldest first. */
  limit?: number;
  /** Entries after this one: pass the previous page's last entry. The order is (createdAt, key). */
  after?: { createdAt: number; key: string };
}

/** Which delivered outbox entries {@link Db.pruneOutbox} deletes. */
export interface OutboxPrune {
  /** Entries delivered before this time (ms since epoch). */
  deliveredBefore: number;
  /** At most this many per call (default 1000, at most 10 000); call again while it returns that many. */
  limit?: number;
}

/**
 * One stored event of a run: what its event stream reported (the same JSON Server-Sent Events
 * carry), numbered per run so that a reader can resume after the last one it saw.
 */
export interface RunEventRecord {
  kind: RunKind;
  runId: string;
  /** 1 for the run's first event, then one up per event, with no gaps (retention deletes the oldest). */
  seq: number;
  /** The event's name, e.g. "StepPaused". */
  event: string;
  /** The event as JSON text. */
  data: string;
  createdAt: number;
}

/** An event to append: the store numbers it. */
export type NewRunEvent = Pick<RunEventRecord, "event" | "data" | "createdAt">;

export interface RunEventFilter {
  kind: RunKind;
  runId: string;
  /** Only events numbered above this one (default 0: from the first). */
  after?: number;
  /** At most this many events (default 100, at most 1000), in order. */
  limit?: number;
}
