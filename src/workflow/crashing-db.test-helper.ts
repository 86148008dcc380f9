import type { RunKind, RunRecord, RunWrite } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { StoreError } from "../errors.js";

/** Long after any lease taken now has expired. */
export const LATER = Date.now() + 60 * 60 * 1000;

/**
 * An InMemoryDb whose chosen write "crashes": it throws before storing, like a process dying just
 * before that write, and the process's claims are left as they were (their leases lapse).
 */
export class CrashingDb extends InMemoryDb {
  crashOn: ((record: RunRecord) => boolean) | undefined;

  #crashes(records: readonly RunRecord[]): boolean {
    if (!records.some((record) => this.crashOn?.(record) === true)) return false;
    this.crashOn = undefined;
    return true;
  }

  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    if (this.#crashes([record])) throw new StoreError("process died");
    return super.updateRun(record, expectedRevision);
  }

  // A workflow stores its step agent's final save together with another write.
  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    if (this.#crashes(writes.map(({ record }) => record))) throw new StoreError("process died");
    return super.writeRuns(writes);
  }
}

/** The write of a run of `kind` that stores `status`. */
export function saveOf(kind: RunKind, status: string): (record: RunRecord) => boolean {
  return (record) => record.kind === kind && record.status === status;
}

/** The checkpoint that stores a tool call's result, before the model is called again. */
export function toolResultCheckpoint(record: RunRecord): boolean {
  return record.kind === "agent" && record.status === "running" && /"result":/.test(record.state);
}
