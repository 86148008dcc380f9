import type { Db, RunKind, RunSummary } from "../db/db.js";

/** Every `running` run of one owner whose claim expired at or before `now`, page by page. */
export async function expiredRuns(db: Db, kind: RunKind, ownerId: string, now: number): Promise<RunSummary[]> {
  const expired: RunSummary[] = [];
  const limit = 500;
  for (let offset = 0; ; offset += limit) {
    const page = await db.listRuns({ kind, ownerId, status: "running", limit, offset });
    expired.push(...page.filter((run) => run.leaseExpiresAt !== null && run.leaseExpiresAt <= now));
    if (page.length < limit) return expired;
  }
}
