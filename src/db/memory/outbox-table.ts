import type { OutboxClaim, OutboxEntry, OutboxEvent, OutboxFilter, OutboxOutcome } from "../db.js";
import { compareOutbox, isClaimable, isPrunable, newEntry } from "../outbox.js";

interface StoredEntry {
  entry: OutboxEntry;
  token: string | null;
}

/** The outbox of an InMemoryDb. It stores and returns copies. */
export class OutboxTable {
  readonly #entries = new Map<string, StoredEntry>();

  /** Adds the events whose key is new; an event already enqueued is left as it is. */
  enqueue(events: readonly OutboxEvent[]): void {
    for (const event of events) {
      if (!this.#entries.has(event.key)) this.#entries.set(event.key, { entry: newEntry(event), token: null });
    }
  }

  claim({ token, now, leaseMs, limit }: OutboxClaim): OutboxEntry[] {
    const due = [...this.#entries.values()].filter(({ entry }) => isClaimable(entry, now));
    due.sort((left, right) => compareOutbox(left.entry, right.entry));
    return due.slice(0, limit).map((stored) => {
      stored.token = token;
      stored.entry = { ...stored.entry, leaseExpiresAt: now + leaseMs };
      return copyEntry(stored.entry);
    });
  }

  settle(key: string, token: string, outcome: OutboxOutcome): boolean {
    const stored = this.#entries.get(key);
    if (stored === undefined || stored.token !== token) return false;
    stored.token = null;
    stored.entry = { ...stored.entry, ...outcome, deliveredTo: [...outcome.deliveredTo], leaseExpiresAt: null };
    return true;
  }

  list(filter: OutboxFilter, limit: number): OutboxEntry[] {
    const { after } = filter;
    const matches = [...this.#entries.values()]
      .map(({ entry }) => entry)
      .filter((entry) => filter.undelivered !== true || entry.deliveredAt === null)
      .filter((entry) => after === undefined || compareOutbox(entry, after) > 0);
    matches.sort(compareOutbox);
    return matches.slice(0, limit).map(copyEntry);
  }

  /** Deletes up to `limit` prunable entries, oldest first; `statusOf` gives a run's status, null when it is gone. */
  prune(deliveredBefore: number, limit: number, statusOf: (entry: OutboxEntry) => string | null): number {
    const prunable = [...this.#entries.values()]
      .map(({ entry }) => entry)
      .filter((entry) => isPrunable(entry, deliveredBefore, statusOf(entry)))
      .sort(compareOutbox)
      .slice(0, limit);
    for (const entry of prunable) this.#entries.delete(entry.key);
    return prunable.length;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function copyEntry(entry: OutboxEntry): OutboxEntry {
  return { ...entry, deliveredTo: [...entry.deliveredTo] };
}
