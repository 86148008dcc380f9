import type {
  NewRunEvent,
  OutboxClaim,
  OutboxEntry,
  OutboxFilter,
  OutboxOutcome,
  OutboxPrune,
  RunEventFilter,
  RunEventRecord,
} from "./db-events.js";

export type {
  NewRunEvent,
  OutboxClaim,
  OutboxEntry,
  OutboxEvent,
  OutboxEventType,
  OutboxFilter,
  OutboxOutcome,
  OutboxPrune,
  RunEventFilter,
  RunEventRecord,
} from "./db-events.js";

import type { RunStatus } from "./run-status.js";

/** Agent runs and workflow runs live under separate keys, so their ids can never collide. */
export type RunKind = "agent" | "workflow";

/** A requirement waiting for a human, stored so an inbox can list it without loading runs. */
export interface PendingRequirementRecord {
  requirementId: string;
  /** e.g. "confirmation", "userInput", "externalExecution". */
  requirementKind: string;
  /** One line a person can read: what is being asked. */
  summary: string;
}

/** One stored run: indexed columns plus the versioned JSON state as text. */
export interface RunRecord {
  kind: RunKind;
  runId: string;
  sessionId: string;
  userId: string | null;
  /** The agent id or workflow id that owns the run. */
  ownerId: string;
  status: RunStatus;
  /** Starts at 1 and grows by one on every write; claims compare-and-set on it. */
  revision: number;
  createdAt: number;
  updatedAt: number;
  /** While a run is `running`, the time (ms since epoch) its claim expires, else null. */
  leaseExpiresAt: number | null;
  /** The run's JSON state, as text. */
  state: string;
  /** Replaces the run's rows in the pending-requirement index on every write. */
  pending: PendingRequirementRecord[];
}

/** One write of {@link Db.writeRuns}. */
export interface RunWrite {
  record: RunRecord;
  /** null inserts the run; a number replaces it if its stored revision is still this one. */
  expectedRevision: number | null;
  /**
   * Entries appended to the decisions table in the same transaction (the claim that acts on the
   * decisions they record). Each must be new: an entry whose (kind, runId, seq) is stored already
   * makes the whole write throw StoreError, changing nothing.
   */
  decisions?: readonly DecisionRecord[];
  /**
   * Grants inserted in the same transaction (those made by the decisions the claim acts on). Each
   * must be new: a grant whose id is stored already makes the whole write throw StoreError.
   */
  grants?: readonly GrantRecord[];
}

/** Where a grant applies: one run, one session, one user's runs, or every run of the agent. */
export type GrantScope = "run" | "session" | "user" | "agent";

/**
 * A standing approval ("always allow this tool"): a gated call of `toolName` by the agent
 * `ownerId`, in a run within its scope, whose arguments match `argsMatch`, is approved without a
 * pause while the grant is active (not revoked, not expired). The store keeps it as given; only
 * {@link Db.revokeGrant} changes it, once.
 */
export interface GrantRecord {
  id: string;
  ownerKind: "agent";
  /** The agent id whose tool it allows. */
  ownerId: string;
  toolName: string;
  scope: GrantScope;
  /** The runId, sessionId or userId the scope names; null for scope "agent". */
  scopeId: string | null;
  /** JSON text of an object whose keys must all equal the call's argument values, or null for any arguments. */
  argsMatch: string | null;
  /** The principal's id, or "kern:code" for a grant made in code without an actor. */
  createdBy: string;
  createdAt: number;
  /** When it stops applying (ms since epoch), or null for never. */
  expiresAt: number | null;
  /** When it was revoked (ms since epoch), or null. */
  revokedAt: number | null;
}

export interface GrantFilter {
  ownerId?: string;
  toolName?: string;
  createdBy?: string;
  /** Only grants active at this time (ms): not revoked, and not expired (expiresAt null or later). */
  activeAt?: number;
  /** At most this many grants (default 100, at most 1000), oldest first. */
  limit?: number;
  /** Grants after this one: pass the previous page's last grant. The order is (createdAt, id). */
  after?: { createdAt: number; id: string };
}

/**
 * One entry of the append-only decisions table: who decided which requirement of which run, what,
 * when, and a digest of what they were shown. `hash` covers every other field, `prevHash` is the
 * hash of the run's previous entry (null for its first), so an edited or deleted row breaks the
 * chain. The store keeps entries as given and never changes them.
 */
export interface DecisionRecord {
  kind: RunKind;
  runId: string;
  /** 1 for the run's first entry, then one up per entry, with no gaps. */
  seq: number;
  requirementId: string;
  /** The gate's kind, e.g. "confirmation", "userInput", "externalExecution", "route", "outputReview". */
  gateKind: string;
  /** The decision as JSON text, e.g. `{"type":"reject","feedback":"not now"}`. */
  decision: string;
  /** The principal's id; "kern:code" or "kern:timeout" for decisions no person made. */
  actorId: string;
  actorRoles: string[];
  /** False when a person decided; true for code without an actor and for timeouts. */
  automatic: boolean;
  /** When it was decided, in ms since the epoch. */
  decidedAt: number;
  /** SHA-256 (hex) of what the decider was shown: tool name and arguments, message, output under review. */
  shownDigest: string;
  /** The id of the signed decision link it came through, or null. */
  linkId: string | null;
  prevHash: string | null;
  /** SHA-256 (hex) of this entry's canonical JSON without `hash`. */
  hash: string;
}

export interface DecisionFilter {
  kind?: RunKind;
  runId?: string;
  actorId?: string;
  /** Only entries decided at or after this time (ms since epoch). */
  since?: number;
  /** At most this many entries (default 100, at most 1000), oldest first. */
  limit?: number;
  /**
   * Entries after this one: pass the previous page's last entry. The order is (decidedAt, kind,
   * runId, seq).
   */
  after?: { decidedAt: number; kind: RunKind; runId: string; seq: number };
}

/** A stored run without its state, for listings. */
export type RunSummary = Omit<RunRecord, "state" | "pending">;

export interface RunFilter {
  kind?: RunKind;
  ownerId?: string;
  sessionId?: string;
  /** Only runs started by this user (their `userId`). */
  userId?: string;
  status?: RunStatus;
  /** At most this many rows (default 100), newest first. */
  limit?: number;
  offset?: number;
}

/** A row of the approval inbox. */
export interface PendingRequirementRow extends PendingRequirementRecord {
  kind: RunKind;
  runId: string;
  sessionId: string;
  ownerId: string;
  createdAt: number;
}

export interface PendingFilter {
  kind?: RunKind;
  ownerId?: string;
  requirementKind?: string;
  /** Only requirements created at or before this time (ms since epoch). */
  createdBefore?: number;
  /** At most this many rows (default 50), oldest first. */
  limit?: number;
  /**
   * Rows after this one: pass the previous page's last row. The order is (createdAt, runId,
   * requirementId, kind); `kind` breaks the tie between an agent run and a workflow run that share
   * a run id and requirement id, so pass it (the row has it) or such a row can be skipped.
   */
  after?: { createdAt: number; runId: string; requirementId: string; kind?: RunKind };
}

/**
 * Storage for runs. Every implementation passes the shared conformance suite. Methods take and
 * return plain records; parsing and validating the state JSON is the core's job, not the store's.
 */
export interface Db {
  /** Short name used in errors, e.g. "sqlite". */
  readonly dialect: string;
  getRun(kind: RunKind, runId: string): Promise<RunRecord | null>;
  /** Stores a new run; throws StoreError when a run with this kind and id exists. */
  insertRun(record: RunRecord): Promise<void>;
  /**
   * Replaces the stored run if and only if its revision is still `expectedRevision`, in one
   * transaction with its pending rows. Returns false, changing nothing, when it is not.
   */
  updateRun(record: RunRecord, expectedRevision: number): Promise<boolean>;
  /**
   * Applies several inserts and compare-and-set updates in one transaction: all of them or none.
   * Returns false, changing nothing, when an update's revision is stale; throws StoreError,
   * changing nothing, when an insert's run exists or a record is refused. Each run at most once.
   */
  writeRuns(writes: readonly RunWrite[]): Promise<boolean>;
  /**
   * The heartbeat of a claim: sets `leaseExpiresAt` and grows the revision by one if and only if
   * the stored run is `running` at `expectedRevision`; nothing else changes (not `updatedAt`, not
   * the state). Returns false, changing nothing, when it is not: another process took the run
   * over or wrote it.
   */
  renewLease(kind: RunKind, runId: string, expectedRevision: number, leaseExpiresAt: number): Promise<boolean>;
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  listPendingRequirements(filter?: PendingFilter): Promise<PendingRequirementRow[]>;
  /** The decisions table, oldest first, keyset paged (see {@link DecisionFilter.after}). */
  listDecisions(filter?: DecisionFilter): Promise<DecisionRecord[]>;
  /** Stores a new grant; throws StoreError when a grant with this id exists. */
  insertGrant(grant: GrantRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | null>;
  /** Grants oldest first, keyset paged (see {@link GrantFilter.after}). */
  listGrants(filter?: GrantFilter): Promise<GrantRecord[]>;
  /** Sets `revokedAt` of a grant not revoked yet; returns false, changing nothing, otherwise. */
  revokeGrant(id: string, revokedAt: number): Promise<boolean>;
  /**
   * Claims up to `limit` outbox entries not yet delivered, due at `now`, and not claimed by a
   * claim that is still alive, oldest first, for `leaseMs`: two claims never hold one entry.
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]>;
  /** Stores a claimed entry's outcome and ends the claim; false, changing nothing, if `token` no longer holds it. */
  settleOutbox(key: string, token: string, outcome: OutboxOutcome): Promise<boolean>;
  /** The outbox, oldest first, keyset paged (see {@link OutboxFilter.after}). */
  listOutbox(filter?: OutboxFilter): Promise<OutboxEntry[]>;
  /**
   * Deletes entries delivered before `deliveredBefore` that cannot be enqueued again: decision,
   * timeout and escalation events, and pause events of runs that completed, were cancelled or are
   * gone. A pause event of a run that may still pause on that requirement is kept, so storing the
   * run again never sends its pause twice. Resolves with how many it deleted.
   */
  pruneOutbox(prune: OutboxPrune): Promise<number>;
  /**
   * Appends events to a run's stream, numbered on from its last stored one, in one transaction.
   * Two appends to one run at once never get the same numbers, and a reader never sees a later
   * number before an earlier one. Returns the number of the last event appended.
   */
  appendRunEvents(kind: RunKind, runId: string, events: readonly NewRunEvent[]): Promise<number>;
  /** A run's events in order, after `filter.after`. */
  listRunEvents(filter: RunEventFilter): Promise<RunEventRecord[]>;
  /** The number of a run's last stored event, or 0 when it has none. */
  lastRunEventSeq(kind: RunKind, runId: string): Promise<number>;
  /**
   * Retention: deletes up to `limit` (default 1000) events created before `createdBefore`, except
   * each run's last one (which keeps its numbering going). Returns how many it deleted.
   */
  deleteRunEvents(createdBefore: number, limit?: number): Promise<number>;
  close(): Promise<void>;
}
