import { StoreError } from "../../errors.js";
import type { DecisionFilter, DecisionRecord } from "../db.js";
import { decisionKey, decisionStoredMessage } from "../record-checks.js";
import { compareText } from "./compare-text.js";

type DecisionPosition = Pick<DecisionRecord, "decidedAt" | "kind" | "runId" | "seq">;

/**
 * The decisions table of an InMemoryDb: append-only, keyed by (kind, runId, seq). It stores and
 * returns copies, so no caller can change an entry after it was appended.
 */
export class DecisionLog {
  readonly #entries = new Map<string, DecisionRecord>();

  /** Throws StoreError if any entry is stored already; changes nothing either way. */
  checkNew(entries: readonly DecisionRecord[]): void {
    for (const entry of entries) {
      if (this.#entries.has(decisionKey(entry))) throw new StoreError(decisionStoredMessage(entry));
    }
  }

  /** Appends entries that {@link checkNew} accepted. */
  append(entries: readonly DecisionRecord[]): void {
    for (const entry of entries) this.#entries.set(decisionKey(entry), copyDecision(entry));
  }

  /** Entries oldest first, in the order (decidedAt, kind, runId, seq), after `filter.after`. */
  list(filter: DecisionFilter, limit: number): DecisionRecord[] {
    const matches: DecisionRecord[] = [];
    for (const entry of this.#entries.values()) {
      if (matchesDecision(entry, filter)) matches.push(entry);
    }
    matches.sort(compareDecisions);
    return matches.slice(0, limit).map(copyDecision);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The entry's fields and nothing else, as the SQL stores return them. */
function copyDecision(entry: DecisionRecord): DecisionRecord {
  return {
    kind: entry.kind,
    runId: entry.runId,
    seq: entry.seq,
    requirementId: entry.requirementId,
    gateKind: entry.gateKind,
    decision: entry.decision,
    actorId: entry.actorId,
    actorRoles: [...entry.actorRoles],
    automatic: entry.automatic,
    decidedAt: entry.decidedAt,
    shownDigest: entry.shownDigest,
    linkId: entry.linkId,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

function matchesDecision(entry: DecisionRecord, filter: DecisionFilter): boolean {
  if (filter.kind !== undefined && entry.kind !== filter.kind) return false;
  if (filter.runId !== undefined && entry.runId !== filter.runId) return false;
  if (filter.actorId !== undefined && entry.actorId !== filter.actorId) return false;
  if (filter.since !== undefined && entry.decidedAt < filter.since) return false;
  if (filter.after !== undefined && compareDecisions(entry, filter.after) <= 0) return false;
  return true;
}

/** The listing order of every store: oldest first, then kind, run id (as bytes) and seq. */
function compareDecisions(left: DecisionPosition, right: DecisionPosition): number {
  return (
    left.decidedAt - right.decidedAt ||
    compareText(left.kind, right.kind) ||
    compareText(left.runId, right.runId) ||
    left.seq - right.seq
  );
}
