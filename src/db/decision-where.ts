import type { DecisionFilter } from "./db.js";

/** A WHERE builder: SQLite's and PostgreSQL's take clauses with `?` for each value. */
interface Clauses {
  add(clause: string, ...values: unknown[]): void;
}

/**
 * The clauses of a decisions-table filter, for both SQL stores: by kind, run, actor and time, and
 * the keyset `after` in the table's order (decided_at, kind, run_id, seq).
 */
export function addDecisionClauses(where: Clauses, filter: DecisionFilter): void {
  where.add("kind = ?", filter.kind);
  where.add("run_id = ?", filter.runId);
  where.add("actor_id = ?", filter.actorId);
  where.add("decided_at >= ?", filter.since);
  if (filter.after !== undefined) {
    const { decidedAt, kind, runId, seq } = filter.after;
    where.add("(decided_at, kind, run_id, seq) > (?, ?, ?, ?)", decidedAt, kind, runId, seq);
  }
}
