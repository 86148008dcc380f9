import type { Db, DecisionRecord, GrantRecord } from "../db/index.js";
import { RunAlreadyClaimedError } from "../errors.js";
import { type BaseRunState, type LoadedRun, type RunAccess, toRecord } from "./run-record.js";

/**
 * Hands a run to a queue's worker instead of driving it here: stores it `pending` (no lease, no
 * holder) exactly as run() or continueRun() would have claimed it, so the worker that claims it
 * next drives it from there. `loaded` null inserts a new run; otherwise a compare-and-set on its
 * revision, storing `decisions` and `grants` in the same write (RunAlreadyClaimedError when
 * another caller got there first). Nothing has run, so nothing is uncertain if no worker comes:
 * the run simply waits, and recover() leaves it alone.
 */
export async function handOffRun<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  state: T,
  loaded: LoadedRun<T> | null,
  decisions: readonly DecisionRecord[] = [],
  grants: readonly GrantRecord[] = [],
): Promise<void> {
  state.status = "pending";
  if (loaded === null) {
    await db.insertRun(toRecord(access, state, 1, null));
    return;
  }
  const record = toRecord(access, state, loaded.revision + 1, null);
  const won =
    decisions.length === 0 && grants.length === 0
      ? await db.updateRun(record, loaded.revision)
      : await db.writeRuns([{ record, expectedRevision: loaded.revision, decisions, grants }]);
  if (!won) throw new RunAlreadyClaimedError(state.runId);
}
