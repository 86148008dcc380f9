import type { NewRunEvent, RunEventFilter, RunEventRecord, RunKind } from "../db.js";

/** The run events of an InMemoryDb, per run in order. It stores and returns copies. */
export class RunEventTable {
  readonly #runs = new Map<string, RunEventRecord[]>();

  append(kind: RunKind, runId: string, events: readonly NewRunEvent[]): number {
    const key = `${kind}:${runId}`;
    const stored = this.#runs.get(key) ?? [];
    let seq = stored.at(-1)?.seq ?? 0;
    for (const { event, data, createdAt } of events) {
      seq += 1;
      stored.push({ kind, runId, seq, event, data, createdAt });
    }
    this.#runs.set(key, stored);
    return seq;
  }

  list(filter: RunEventFilter, limit: number): RunEventRecord[] {
    const stored = this.#runs.get(`${filter.kind}:${filter.runId}`) ?? [];
    const after = filter.after ?? 0;
    return stored
      .filter((entry) => entry.seq > after)
      .slice(0, limit)
      .map((entry) => ({ ...entry }));
  }

  last(kind: RunKind, runId: string): number {
    return this.#runs.get(`${kind}:${runId}`)?.at(-1)?.seq ?? 0;
  }

  /** Deletes up to `limit` events created before `createdBefore`, never a run's last one. */
  delete(createdBefore: number, limit: number): number {
    let deleted = 0;
    for (const [key, stored] of this.#runs) {
      const last = stored.at(-1);
      const kept = stored.filter((entry) => {
        const old = entry !== last && entry.createdAt < createdBefore && deleted < limit;
        if (old) deleted += 1;
        return !old;
      });
      this.#runs.set(key, kept);
    }
    return deleted;
  }

  clear(): void {
    this.#runs.clear();
  }
}
