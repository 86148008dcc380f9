import { StoreError } from "../errors.js";
import type { DecisionRecord, RunRecord } from "./db.js";

/** Builds a stored run with readable defaults; override what the test is about. */
export function makeRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    kind: "agent",
    runId: "run-1",
    sessionId: "session-1",
    userId: "user-1",
    ownerId: "agent-a",
    status: "paused",
    revision: 1,
    createdAt: 1_000,
    updatedAt: 1_000,
    leaseExpiresAt: null,
    state: '{"schemaVersion":1,"step":0}',
    pending: [],
    ...overrides,
  };
}

/** Builds a decision entry with readable defaults; override what the test is about. */
export function makeDecision(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    kind: "agent",
    runId: "run-1",
    seq: 1,
    requirementId: "req-1",
    gateKind: "confirmation",
    decision: '{"type":"confirm"}',
    actorId: "user-1",
    actorRoles: ["approver"],
    automatic: false,
    decidedAt: 2_000,
    shownDigest: "d".repeat(64),
    linkId: null,
    prevHash: null,
    hash: "h".repeat(64),
    ...overrides,
  };
}

/** The record a caller would write next: one revision up, with `changes` applied. */
export function nextRecord(record: RunRecord, changes: Partial<RunRecord> = {}): RunRecord {
  return { ...record, revision: record.revision + 1, ...changes };
}

/** Matches a StoreError whose message contains `text`. */
export function storeError(text: string): (error: unknown) => boolean {
  return (error) => error instanceof StoreError && error.message.includes(text);
}
