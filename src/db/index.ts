/**
 * The store contract every database implements (`Db` and its records) and the in-process store
 * agents and workflows use when given no `db`. The run statuses live in run-status.ts, a file of
 * constants the lazily loaded schemas may import. The adapters
 * (`memory/`, `sqlite/`, `postgres/`) have front doors of their own, each a package subpath.
 * Nothing here imports from `runs/`: run state builds on the store, not the other way round.
 */
export type {
  Db,
  DecisionFilter,
  DecisionRecord,
  GrantFilter,
  GrantRecord,
  GrantScope,
  NewRunEvent,
  OutboxEntry,
  OutboxEventType,
  OutboxOutcome,
  PendingFilter,
  PendingRequirementRecord,
  PendingRequirementRow,
  RunEventRecord,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "./db.js";
export { defaultMemoryDb } from "./memory/default-db.js";
