// A Db that delegates every call to a real one and lets a test act at chosen moments: after a
// run is loaded, before a write, after a write. The worker processes use it to hold a run just
// before or after its claim, or just before its final save, without touching kern itself.
import type {
  Db,
  PendingFilter,
  PendingRequirementRow,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "kern";

export interface DbHooks {
  /** After getRun() read the record (null when it is not stored). */
  afterGetRun?: (kind: RunKind, runId: string, record: RunRecord | null) => Promise<void>;
  /** Before updateRun() sends the write. */
  beforeUpdate?: (record: RunRecord) => Promise<void>;
  /** After updateRun() returned; `won` is its answer. */
  afterUpdate?: (record: RunRecord, won: boolean) => Promise<void>;
}

export class HookedDb implements Db {
  readonly #inner: Db;
  readonly #hooks: DbHooks;

  constructor(inner: Db, hooks: DbHooks) {
    this.#inner = inner;
    this.#hooks = hooks;
  }

  get dialect(): string {
    return this.#inner.dialect;
  }

  async getRun(kind: RunKind, runId: string): Promise<RunRecord | null> {
    const record = await this.#inner.getRun(kind, runId);
    await this.#hooks.afterGetRun?.(kind, runId, record);
    return record;
  }

  insertRun(record: RunRecord): Promise<void> {
    return this.#inner.insertRun(record);
  }

  async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    await this.#hooks.beforeUpdate?.(record);
    const won = await this.#inner.updateRun(record, expectedRevision);
    await this.#hooks.afterUpdate?.(record, won);
    return won;
  }

  /** The hooks see each update of the batch, as if it were written alone. */
  async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    const updates = writes.filter((write) => write.expectedRevision !== null);
    for (const { record } of updates) await this.#hooks.beforeUpdate?.(record);
    const won = await this.#inner.writeRuns(writes);
    for (const { record } of updates) await this.#hooks.afterUpdate?.(record, won);
    return won;
  }

  renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): Promise<boolean> {
    return this.#inner.renewLease(kind, runId, expectedRevision, leaseExpiresAt);
  }

  listRuns(filter?: RunFilter): Promise<RunSummary[]> {
    return this.#inner.listRuns(filter);
  }

  listPendingRequirements(filter?: PendingFilter): Promise<PendingRequirementRow[]> {
    return this.#inner.listPendingRequirements(filter);
  }

  // The decision types are not exported from "kern" (yet), so this names them through Db.
  listDecisions(filter?: Parameters<Db["listDecisions"]>[0]): ReturnType<Db["listDecisions"]> {
    return this.#inner.listDecisions(filter);
  }

  insertGrant(grant: Parameters<Db["insertGrant"]>[0]): Promise<void> {
    return this.#inner.insertGrant(grant);
  }

  getGrant(id: string): ReturnType<Db["getGrant"]> {
    return this.#inner.getGrant(id);
  }

  listGrants(filter?: Parameters<Db["listGrants"]>[0]): ReturnType<Db["listGrants"]> {
    return this.#inner.listGrants(filter);
  }

  revokeGrant(id: string, revokedAt: number): Promise<boolean> {
    return this.#inner.revokeGrant(id, revokedAt);
  }

  claimOutbox(claim: Parameters<Db["claimOutbox"]>[0]): ReturnType<Db["claimOutbox"]> {
    return this.#inner.claimOutbox(claim);
  }

  settleOutbox(...args: Parameters<Db["settleOutbox"]>): ReturnType<Db["settleOutbox"]> {
    return this.#inner.settleOutbox(...args);
  }

  listOutbox(filter?: Parameters<Db["listOutbox"]>[0]): ReturnType<Db["listOutbox"]> {
    return this.#inner.listOutbox(filter);
  }

  pruneOutbox(...args: Parameters<Db["pruneOutbox"]>): ReturnType<Db["pruneOutbox"]> {
    return this.#inner.pruneOutbox(...args);
  }

  appendRunEvents(...args: Parameters<Db["appendRunEvents"]>): ReturnType<Db["appendRunEvents"]> {
    return this.#inner.appendRunEvents(...args);
  }

  listRunEvents(filter: Parameters<Db["listRunEvents"]>[0]): ReturnType<Db["listRunEvents"]> {
    return this.#inner.listRunEvents(filter);
  }

  lastRunEventSeq(...args: Parameters<Db["lastRunEventSeq"]>): ReturnType<Db["lastRunEventSeq"]> {
    return this.#inner.lastRunEventSeq(...args);
  }

  deleteRunEvents(...args: Parameters<Db["deleteRunEvents"]>): ReturnType<Db["deleteRunEvents"]> {
    return this.#inner.deleteRunEvents(...args);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
