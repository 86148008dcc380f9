import type { Db, NewRunEvent, RunKind } from "../db/index.js";

/** Listeners woken when this process stores a run's events (a hint: readers read the store). */
const watchers = new Map<string, Set<() => void>>();

/**
 * Calls `wake` whenever this process stores events of the run; returns a function that stops it.
 * Readers in other processes learn of new events by reading the store.
 */
export function watchRunEvents(kind: RunKind, runId: string, wake: () => void): () => void {
  const key = `${kind}:${runId}`;
  const set = watchers.get(key) ?? new Set<() => void>();
  set.add(wake);
  watchers.set(key, set);
  return () => {
    set.delete(wake);
    if (set.size === 0) watchers.delete(key);
  };
}

function wakeWatchers(kind: RunKind, runId: string): void {
  for (const wake of watchers.get(`${kind}:${runId}`) ?? []) wake();
}

const ATTEMPTS = 3;
const RETRY_DELAY_MS = 50;

/**
 * Stores a run's events as they happen, in order, in batches: while one append is in flight the
 * next events gather for the one after it. The run does not wait for its events; the call that
 * drives it waits for `settle()` before it returns. The run's state stays the source of truth: an
 * append the store refuses three times is dropped (readers then see the stored run's status).
 */
export class RunEventLog {
  readonly #db: Db;
  readonly #kind: RunKind;
  readonly #runId: string;
  #buffer: NewRunEvent[] = [];
  #flushing: Promise<void> | null = null;

  constructor(db: Db, kind: RunKind, runId: string) {
    this.#db = db;
    this.#kind = kind;
    this.#runId = runId;
  }

  /** Queues one event (an object with an `event` name) to be stored. */
  readonly push = (event: { readonly event: string }): void => {
    this.#buffer.push({ event: event.event, data: JSON.stringify(event), createdAt: Date.now() });
    this.#flushing ??= this.#flush();
  };

  /** Resolves once every event pushed so far was stored (or dropped). */
  async settle(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
  }

  async #flush(): Promise<void> {
    // Let the events of one synchronous stretch of the run gather into one append.
    await Promise.resolve();
    for (let failures = 0; this.#buffer.length > 0; ) {
      const batch = this.#buffer;
      this.#buffer = [];
      try {
        await this.#db.appendRunEvents(this.#kind, this.#runId, batch);
        failures = 0;
        wakeWatchers(this.#kind, this.#runId);
      } catch {
        failures += 1;
        if (failures < ATTEMPTS) {
          this.#buffer = [...batch, ...this.#buffer];
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * failures));
        }
      }
    }
    this.#flushing = null;
  }
}
