import { z } from "zod";
import { StoreError } from "../../errors.js";
import type { RunRecord, RunWrite } from "../db.js";
import { batchGrants, grantStoredMessage } from "../grants.js";
import { decisionEvents, pauseEvents } from "../outbox.js";
import { pendingRowOf } from "../pending-rows.js";
import { batchDecisions, changedFixedFieldMessage, decisionKey, decisionStoredMessage } from "../record-checks.js";

/**
 * The one statement that stores a batch of run writes (insertRun, updateRun and writeRuns all use
 * it), with `S.` standing for the quoted schema. Its text is fixed whatever the batch holds: each
 * kind of row comes as one JSON array ($1 runs, $2 pending rows, $3 decision events, $4 decision
 * entries, $5 grants), so it is a named statement every pooled connection parses once.
 *
 * Order of work, and why:
 * 1. `locked` locks the stored rows the batch updates, sorted by (kind, run_id). A plain multi-row
 *    UPDATE locks in plan order, so two claims of the same pair could each hold one row and wait
 *    for the other (40P01). LockRows sits above the Sort, so locks are taken in sorted order; the
 *    update joins `locked`, so it touches only rows already locked, and never waits. FOR UPDATE
 *    returns the newest committed version, so `locked` also tells a stale revision from a changed
 *    fixed field without a second query.
 * 2. `updated` is the compare-and-set: a writer that waited for our lock re-checks the revision
 *    against our committed row and matches nothing. `inserted` adds new runs (DO NOTHING on a
 *    duplicate) only after every lock is held, so it never holds a new row while waiting for one.
 * 3. Everything else is written only when every run of the batch was (`all_saved`): a write that
 *    lost its compare-and-set touches nothing else, and the caller rolls back what was written.
 * Data-modifying CTEs share one snapshot: a row is never written by two of them (stale pending
 * rows are those not in $2; the upserts cover those in $2). Unchanged pending and session rows
 * are not rewritten, and a pause event is offered only for a pending row that is new or changed.
 */
export const WRITE_RUNS = `WITH runs AS MATERIALIZED (
  SELECT * FROM json_to_recordset($1::json) AS i (ord int, kind text, "runId" text, "sessionId" text,
    "userId" text, "ownerId" text, status text, revision bigint, "createdAt" bigint, "updatedAt" bigint,
    "leaseExpiresAt" bigint, state text, "expectedRevision" bigint)
), locked AS (
  SELECT r.kind, r.run_id, r.revision, r.session_id, r.owner_id, r.created_at, r.user_id
  FROM S.kern_runs r JOIN runs i ON r.kind = i.kind AND r.run_id = i."runId"
  WHERE i."expectedRevision" IS NOT NULL ORDER BY r.kind, r.run_id FOR UPDATE OF r
), updated AS (
  UPDATE S.kern_runs r SET status = i.status, revision = i.revision, updated_at = i."updatedAt",
    lease_expires_at = i."leaseExpiresAt", state = i.state
  FROM runs i JOIN locked l ON l.kind = i.kind AND l.run_id = i."runId"
  WHERE r.kind = i.kind AND r.run_id = i."runId" AND r.revision = i."expectedRevision"
    AND r.session_id = i."sessionId" AND r.user_id IS NOT DISTINCT FROM i."userId"
    AND r.owner_id = i."ownerId" AND r.created_at = i."createdAt"
  RETURNING r.kind, r.run_id
), inserted AS (
  INSERT INTO S.kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, created_at,
    updated_at, lease_expires_at, state)
  SELECT kind, "runId", "sessionId", "userId", "ownerId", status, revision, "createdAt", "updatedAt",
    "leaseExpiresAt", state FROM runs
  WHERE "expectedRevision" IS NULL AND (SELECT count(*) FROM locked) >= 0 ORDER BY kind, "runId"
  ON CONFLICT (kind, run_id) DO NOTHING
  RETURNING kind, run_id
), saved AS (
  SELECT kind, run_id FROM updated UNION ALL SELECT kind, run_id FROM inserted
), all_saved AS (
  SELECT (SELECT count(*) FROM saved) = json_array_length($1::json) AS yes
), sessions AS (
  INSERT INTO S.kern_sessions AS s (session_id, user_id, created_at, updated_at)
  SELECT i."sessionId", (array_agg(i."userId" ORDER BY i.ord) FILTER (WHERE i."userId" IS NOT NULL))[1],
    (array_agg(i."createdAt" ORDER BY i.ord))[1], max(i."updatedAt")
  FROM runs i WHERE i."expectedRevision" IS NULL AND (SELECT yes FROM all_saved)
  GROUP BY i."sessionId" ORDER BY i."sessionId"
  ON CONFLICT (session_id) DO UPDATE SET user_id = COALESCE(s.user_id, excluded.user_id),
    updated_at = GREATEST(s.updated_at, excluded.updated_at)
  WHERE (s.user_id IS NULL AND excluded.user_id IS NOT NULL) OR s.updated_at < excluded.updated_at
), wanted AS MATERIALIZED (
  SELECT * FROM json_to_recordset($2::json) AS p (ord int, kind text, "runId" text, "requirementId" text,
    position int, "sessionId" text, "ownerId" text, "requirementKind" text, summary text,
    "createdAt" bigint, "eventKey" text, "eventData" text)
), stale AS (
  DELETE FROM S.kern_pending_requirements p USING updated u
  WHERE p.kind = u.kind AND p.run_id = u.run_id AND (SELECT yes FROM all_saved)
    AND NOT EXISTS (SELECT 1 FROM wanted w
      WHERE w.kind = p.kind AND w."runId" = p.run_id AND w."requirementId" = p.requirement_id)
), pending AS (
  INSERT INTO S.kern_pending_requirements AS p (kind, run_id, requirement_id, position, session_id,
    owner_id, requirement_kind, summary, created_at)
  SELECT kind, "runId", "requirementId", position, "sessionId", "ownerId", "requirementKind", summary,
    "createdAt" FROM wanted WHERE (SELECT yes FROM all_saved) ORDER BY ord
  ON CONFLICT (kind, run_id, requirement_id) DO UPDATE SET position = excluded.position,
    requirement_kind = excluded.requirement_kind, summary = excluded.summary
  WHERE (p.position, p.requirement_kind, p.summary)
    IS DISTINCT FROM (excluded.position, excluded.requirement_kind, excluded.summary)
  RETURNING kind, run_id, requirement_id
), events AS (
  INSERT INTO S.kern_outbox (event_key, event_type, kind, run_id, session_id, owner_id, requirement_id,
    data, created_at, next_attempt_at)
  SELECT "key", "type", kind, "runId", "sessionId", "ownerId", "requirementId", data, "createdAt",
    "createdAt" FROM (
    SELECT 0 AS part, w.ord, w."eventKey" AS "key", 'requirement.paused' AS "type", w.kind, w."runId",
      w."sessionId", w."ownerId", w."requirementId", w."eventData" AS data, w."createdAt"
    FROM wanted w JOIN pending p
      ON p.kind = w.kind AND p.run_id = w."runId" AND p.requirement_id = w."requirementId"
    UNION ALL
    SELECT 1, e.ord, e."key", e."type", e.kind, e."runId", e."sessionId", e."ownerId",
      e."requirementId", e.data, e."createdAt"
    FROM json_to_recordset($3::json) AS e (ord int, "key" text, "type" text, kind text, "runId" text,
      "sessionId" text, "ownerId" text, "requirementId" text, data text, "createdAt" bigint)
    WHERE (SELECT yes FROM all_saved)
  ) event ORDER BY part, ord
  ON CONFLICT (event_key) DO NOTHING
), decided AS (
  INSERT INTO S.kern_decisions (kind, run_id, seq, requirement_id, gate_kind, decision, actor_id,
    actor_roles, automatic, decided_at, shown_digest, link_id, prev_hash, hash)
  SELECT kind, "runId", seq, "requirementId", "gateKind", decision, "actorId", "actorRoles", automatic,
    "decidedAt", "shownDigest", "linkId", "prevHash", hash
  FROM json_to_recordset($4::json) AS d (kind text, "runId" text, seq bigint, "requirementId" text,
    "gateKind" text, decision text, "actorId" text, "actorRoles" jsonb, automatic boolean,
    "decidedAt" bigint, "shownDigest" text, "linkId" text, "prevHash" text, hash text)
  WHERE (SELECT yes FROM all_saved)
  ON CONFLICT (kind, run_id, seq) DO NOTHING
  RETURNING kind, run_id, seq
), granted AS (
  INSERT INTO S.kern_grants (id, owner_kind, owner_id, tool_name, scope, scope_id, args_match,
    created_by, created_at, expires_at, revoked_at)
  SELECT id, "ownerKind", "ownerId", "toolName", scope, "scopeId", "argsMatch", "createdBy",
    "createdAt", "expiresAt", "revokedAt"
  FROM json_to_recordset($5::json) AS g (id text, "ownerKind" text, "ownerId" text, "toolName" text,
    scope text, "scopeId" text, "argsMatch" text, "createdBy" text, "createdAt" bigint,
    "expiresAt" bigint, "revokedAt" bigint)
  WHERE (SELECT yes FROM all_saved)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
)
SELECT
  (SELECT COALESCE(json_agg(json_build_array(kind, run_id)), '[]') FROM saved) AS saved,
  (SELECT COALESCE(json_agg(json_build_object('kind', l.kind, 'runId', l.run_id, 'revision', l.revision,
    'sessionId', l.session_id, 'ownerId', l.owner_id, 'createdAt', l.created_at, 'userId', l.user_id)), '[]')
    FROM locked l WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.kind = l.kind AND u.run_id = l.run_id)
  ) AS unchanged,
  (SELECT COALESCE(json_agg(json_build_array(kind, run_id, seq)), '[]') FROM decided) AS decided,
  (SELECT COALESCE(json_agg(id), '[]') FROM granted) AS granted`;

/** The parameters of {@link WRITE_RUNS}: each kind of row as the JSON text of one array. */
export function writeRunsValues(writes: readonly RunWrite[]): string[] {
  const runs = writes.map(({ record, expectedRevision }, ord) => {
    const { kind, runId, sessionId, userId, ownerId, status, revision, createdAt, updatedAt } = record;
    const { leaseExpiresAt, state } = record;
    return {
      ord,
      kind,
      runId,
      sessionId,
      userId,
      ownerId,
      status,
      revision,
      createdAt,
      updatedAt,
      leaseExpiresAt,
      state,
      expectedRevision,
    };
  });
  // ord keeps batch order where it decides the outcome: of two events with one key, the first is kept.
  const pending = writes.flatMap(({ record }) => pendingRows(record)).map((row, ord) => ({ ...row, ord }));
  const events = decisionEvents(writes).map((event, ord) => ({ ...event, ord }));
  return [runs, pending, events, batchDecisions(writes), batchGrants(writes)].map((value) => JSON.stringify(value));
}

/** The run's pending rows, each with the pause event it enqueues when the row is new or changed. */
function pendingRows(record: RunRecord): Array<Record<string, unknown>> {
  const events = pauseEvents(record);
  return record.pending.map((requirement, position) => ({
    ...pendingRowOf(record, requirement, position),
    eventKey: events[position]?.key,
    eventData: events[position]?.data,
  }));
}

// pg parses json columns; BIGINT inside json_build_object comes back as a JSON number.
const resultSchema = z.object({
  saved: z.array(z.tuple([z.string(), z.string()])),
  unchanged: z.array(
    z.object({
      kind: z.string(),
      runId: z.string(),
      revision: z.number(),
      sessionId: z.string(),
      ownerId: z.string(),
      createdAt: z.number(),
      userId: z.string().nullable(),
    }),
  ),
  decided: z.array(z.tuple([z.enum(["agent", "workflow"]), z.string(), z.number()])),
  granted: z.array(z.string()),
});

/** Why a batch stored nothing: the first of its writes that failed, in batch order. */
export type RunWriteFailure =
  | { type: "duplicate"; record: RunRecord }
  | { type: "stale" }
  | { type: "changed fixed field"; message: string };

/**
 * Reads the statement's answer row. Returns the first failed run write, if any; throws StoreError
 * for a decision entry or grant that was stored already (checked in that order, as the other
 * stores do). Either way the caller rolls the transaction back.
 */
export function readWriteResult(writes: readonly RunWrite[], row: unknown): RunWriteFailure | undefined {
  const result = resultSchema.parse(row);
  const saved = new Set(result.saved.map(([kind, runId]) => `${kind}:${runId}`));
  // Runs first: a batch retried after its COMMIT went unanswered is stale, not a stored decision.
  const failed = writes.find(({ record }) => !saved.has(`${record.kind}:${record.runId}`));
  if (failed !== undefined) {
    const { record, expectedRevision } = failed;
    if (expectedRevision === null) return { type: "duplicate", record };
    const stored = result.unchanged.find((run) => run.kind === record.kind && run.runId === record.runId);
    // The stored revision is the expected one, yet the update matched nothing: a fixed field differs.
    if (stored?.revision === expectedRevision) {
      return { type: "changed fixed field", message: changedFixedFieldMessage(record, stored) };
    }
    return { type: "stale" };
  }
  const decided = new Set(result.decided.map(([kind, runId, seq]) => decisionKey({ kind, runId, seq })));
  const storedEntry = batchDecisions(writes).find((entry) => !decided.has(decisionKey(entry)));
  if (storedEntry !== undefined) throw new StoreError(decisionStoredMessage(storedEntry));
  const granted = new Set(result.granted);
  const storedGrant = batchGrants(writes).find((grant) => !granted.has(grant.id));
  if (storedGrant !== undefined) throw new StoreError(grantStoredMessage(storedGrant));
  return undefined;
}
