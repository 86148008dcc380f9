import { StoreError } from "../../errors.js";
import type {
  Db,
  DecisionFilter,
  DecisionRecord,
  GrantFilter,
  GrantRecord,
  NewRunEvent,
  OutboxClaim,
  OutboxEntry,
  OutboxFilter,
  OutboxOutcome,
  OutboxPrune,
  PendingFilter,
  PendingRequirementRow,
  RunEventFilter,
  RunEventRecord,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "../db.js";
import { batchGrants, checkGrantFilter, checkGrants, checkRevoke } from "../grants.js";
import { checkClaim, checkOutboxFilter, checkOutcome, checkPrune, decisionEvents, pauseEvents } from "../outbox.js";
import {
  alreadyStoredMessage,
  batchDecisions,
  changedFixedFieldMessage,
  changedFixedFields,
  checkCount,
  checkDecisionFilter,
  checkLeaseRenewal,
  checkPendingIds,
  checkWrites,
} from "../record-checks.js";
import { checkEventFilter, checkEventRetention, checkNewEvents } from "../run-events.js";
import { compareText } from "./compare-text.js";
import { DecisionLog } from "./decision-log.js";
import { GrantTable } from "./grant-table.js";
import { OutboxTable } from "./outbox-table.js";
import { comparePending, matchesPending, pendingRows, pendingSince, type StoredRun } from "./pending-rows.js";
import { RunEventTable } from "./run-event-table.js";

const DEFAULT_RUN_LIMIT = 100;
const DEFAULT_PENDING_LIMIT = 50;

/**
 * A {@link Db} that keeps runs in this process's memory: for tests, demos and single-process
 * apps that do not need runs to survive a restart. It stores and returns copies, so changing a
 * record after passing it in, or one returned from it, never changes what is stored.
 *
 * @example
 * const db = new InMemoryDb();
 * const agent = new Agent({ name: "helper", model, db });
 */
export class InMemoryDb implements Db {
  readonly dialect = "memory";
  readonly #runs = new Map<string, StoredRun>();
  readonly #decisions = new DecisionLog();
  readonly #grants = new GrantTable();
  readonly #outbox = new OutboxTable();
  readonly #events = new RunEventTable();
  #closed = false;

  async getRun(kind: RunKind, runId: string): Promise<RunRecord | null> {
    this.#checkOpen();
    const stored = this.#runs.get(runKey(kind, runId));
    return stored === undefined ? null : copyRecord(stored.record);
  }

  async insertRun(record: RunRecord): Promise<void> {
    this.#checkOpen();
    checkPendingIds(record);
    const key = runKey(record.kind, record.runId);
    if (this.#runs.has(key)) {
      throw new StoreError(alreadyStoredMessage(record));
    }
    this.#runs.set(key, { record: copyRecord(record), pendingSince: pendingSince(record, undefined) });
    this.#outbox.enqueue(pauseEvents(record));
  }

  async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    return this.#write([{ record, expectedRevision }]);
  }

  async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    return this.#write(writes);
  }

  async renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): Promise<boolean> {
    this.#checkOpen();
    checkLeaseRenewal(expectedRevision, leaseExpiresAt);
    const stored = this.#runs.get(runKey(kind, runId));
    if (stored === undefined || stored.record.status !== "running" || stored.record.revision !== expectedRevision)
      return false;
    stored.record = { ...stored.record, revision: expectedRevision + 1, leaseExpiresAt };
    return true;
  }

  // Every check runs before the first change, with no await in between: that makes one write
  // (updateRun) or several atomic, decision entries included. The runs are checked first, as the
  // SQL stores write them first: a stale batch returns false even if its entries are stored.
  #write(writes: readonly RunWrite[]): boolean {
    this.#checkOpen();
    checkWrites(writes);
    for (const { record, expectedRevision } of writes) {
      const stored = this.#runs.get(runKey(record.kind, record.runId));
      if (expectedRevision === null) {
        if (stored !== undefined) throw new StoreError(alreadyStoredMessage(record));
        continue;
      }
      if (stored === undefined || stored.record.revision !== expectedRevision) return false;
      if (changedFixedFields(record, stored.record).length > 0) {
        throw new StoreError(changedFixedFieldMessage(record, stored.record));
      }
    }
    const decisions = batchDecisions(writes);
    this.#decisions.checkNew(decisions);
    const grants = batchGrants(writes);
    this.#grants.checkNew(grants);
    for (const { record } of writes) {
      const key = runKey(record.kind, record.runId);
      this.#runs.set(key, { record: copyRecord(record), pendingSince: pendingSince(record, this.#runs.get(key)) });
    }
    this.#decisions.append(decisions);
    this.#grants.insert(grants);
    this.#outbox.enqueue([...writes.flatMap(({ record }) => pauseEvents(record)), ...decisionEvents(writes)]);
    return true;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    this.#checkOpen();
    const limit = checkCount("listRuns", "limit", filter.limit, DEFAULT_RUN_LIMIT);
    const offset = checkCount("listRuns", "offset", filter.offset, 0);
    const matches: RunSummary[] = [];
    for (const { record } of this.#runs.values()) {
      if (filter.kind !== undefined && record.kind !== filter.kind) continue;
      if (filter.ownerId !== undefined && record.ownerId !== filter.ownerId) continue;
      if (filter.sessionId !== undefined && record.sessionId !== filter.sessionId) continue;
      if (filter.userId !== undefined && record.userId !== filter.userId) continue;
      if (filter.status !== undefined && record.status !== filter.status) continue;
      matches.push(toSummary(record));
    }
    matches.sort(
      (left, right) =>
        right.updatedAt - left.updatedAt || compareText(left.kind, right.kind) || compareText(left.runId, right.runId),
    );
    return matches.slice(offset, offset + limit);
  }

  async listPendingRequirements(filter: PendingFilter = {}): Promise<PendingRequirementRow[]> {
    this.#checkOpen();
    const limit = checkCount("listPendingRequirements", "limit", filter.limit, DEFAULT_PENDING_LIMIT);
    const matches: PendingRequirementRow[] = [];
    for (const stored of this.#runs.values()) {
      for (const row of pendingRows(stored)) {
        if (matchesPending(row, filter)) matches.push(row);
      }
    }
    matches.sort(comparePending);
    return matches.slice(0, limit);
  }

  async listDecisions(filter: DecisionFilter = {}): Promise<DecisionRecord[]> {
    this.#checkOpen();
    return this.#decisions.list(filter, checkDecisionFilter(filter));
  }

  async insertGrant(grant: GrantRecord): Promise<void> {
    this.#checkOpen();
    checkGrants([grant]);
    this.#grants.checkNew([grant]);
    this.#grants.insert([grant]);
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    this.#checkOpen();
    return this.#grants.get(id);
  }

  async listGrants(filter: GrantFilter = {}): Promise<GrantRecord[]> {
    this.#checkOpen();
    return this.#grants.list(filter, checkGrantFilter(filter));
  }

  async revokeGrant(id: string, revokedAt: number): Promise<boolean> {
    this.#checkOpen();
    checkRevoke(id, revokedAt);
    return this.#grants.revoke(id, revokedAt);
  }

  async claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
    this.#checkOpen();
    checkClaim(claim);
    return this.#outbox.claim(claim);
  }

  async settleOutbox(key: string, token: string, outcome: OutboxOutcome): Promise<boolean> {
    this.#checkOpen();
    checkOutcome(outcome);
    return this.#outbox.settle(key, token, outcome);
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxEntry[]> {
    this.#checkOpen();
    return this.#outbox.list(filter, checkOutboxFilter(filter));
  }

  async pruneOutbox(prune: OutboxPrune): Promise<number> {
    this.#checkOpen();
    const limit = checkPrune(prune);
    const statusOf = (entry: OutboxEntry): string | null =>
      this.#runs.get(runKey(entry.kind, entry.runId))?.record.status ?? null;
    return this.#outbox.prune(prune.deliveredBefore, limit, statusOf);
  }

  async appendRunEvents(kind: RunKind, runId: string, events: readonly NewRunEvent[]): Promise<number> {
    this.#checkOpen();
    checkNewEvents(runId, events);
    return this.#events.append(kind, runId, events);
  }

  async listRunEvents(filter: RunEventFilter): Promise<RunEventRecord[]> {
    this.#checkOpen();
    return this.#events.list(filter, checkEventFilter(filter));
  }

  async lastRunEventSeq(kind: RunKind, runId: string): Promise<number> {
    this.#checkOpen();
    return this.#events.last(kind, runId);
  }

  async deleteRunEvents(createdBefore: number, limit?: number): Promise<number> {
    this.#checkOpen();
    return this.#events.delete(createdBefore, checkEventRetention(createdBefore, limit));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#events.clear();
    this.#runs.clear();
    this.#decisions.clear();
    this.#grants.clear();
    this.#outbox.clear();
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new StoreError("This InMemoryDb was closed; create a new InMemoryDb to store runs again.");
    }
  }
}

function runKey(kind: RunKind, runId: string): string {
  // `kind` never contains ':', so "agent:x" and "workflow:x" can never be the same key.
  return `${kind}:${runId}`;
}

function copyRecord(record: RunRecord): RunRecord {
  return { ...record, pending: record.pending.map((requirement) => ({ ...requirement })) };
}

function toSummary(record: RunRecord): RunSummary {
  const { state: _state, pending: _pending, ...summary } = record;
  return summary;
}
