// The raw PostgreSQL floor: the same seven durable writes as the SQLite floor (bench/FLOOR.md),
// with pg alone, on kern's own tables and indexes (a schema kern's PostgresDb migrated), writing
// the strings a kern cycle stored. Each durable write is one statement (data-modifying CTEs), so
// one round trip and one commit; each read is one statement too. Statements are named, so each
// pooled connection parses them once.
import { randomUUID } from "node:crypto";
import { check } from "../lib/stats.mjs";

const LEASE_MS = 60_000;

/** The statements, with `S.` standing for the quoted schema. `$n::type` casts keep inference exact. */
const SQL = {
  read:
    "SELECT status, revision, state, (SELECT json_agg(json_build_array(p.requirement_id, p.requirement_kind, p.summary)) " +
    "FROM S.kern_pending_requirements p WHERE p.kind = r.kind AND p.run_id = r.run_id) AS pending FROM S.kern_runs r WHERE kind = $1 AND run_id = $2",
  insert:
    "WITH run AS (INSERT INTO S.kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, created_at, updated_at, lease_expires_at, state) " +
    "VALUES ('workflow', $1, $2, $3, $4, 'running', 1, $5, $5, NULL, $6) RETURNING run_id), " +
    "session AS (INSERT INTO S.kern_sessions (session_id, user_id, created_at, updated_at) VALUES ($2, $3, $5, $5)) SELECT count(*)::int AS n FROM run",
  // Saves the workflow run paused (and, at pause 2, inserts the agent run), with its pending row
  // and the pause event. $1 run, $2 revision, $3 time, $4 state, $5 requirement, $6 kind,
  // $7 summary, $8 event key, $9 event data; pause 2 adds $10 agent run, $11 agent owner, $12 agent state.
  pause1:
    "WITH saved AS (UPDATE S.kern_runs SET status = 'paused', revision = revision + 1, updated_at = $3, lease_expires_at = NULL, state = $4 " +
    "WHERE kind = 'workflow' AND run_id = $1 AND revision = $2 RETURNING kind, run_id, session_id, owner_id), PENDING_AND_EVENT SELECT count(*)::int AS n FROM saved",
  pause2:
    "WITH saved AS (UPDATE S.kern_runs SET status = 'paused', revision = revision + 1, updated_at = $3, lease_expires_at = NULL, state = $4 " +
    "WHERE kind = 'workflow' AND run_id = $1 AND revision = $2 RETURNING kind, run_id, session_id, user_id, owner_id), " +
    "agent AS (INSERT INTO S.kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, created_at, updated_at, lease_expires_at, state) " +
    "SELECT 'agent', $10::text, session_id, user_id, $11::text, 'paused', 1, $3::bigint, $3::bigint, NULL, $12::text FROM saved), PENDING_AND_EVENT SELECT count(*)::int AS n FROM saved",
  // Claims the runs listed in $1 (kinds), $2 (ids), $3 (revisions): all or none; removes the
  // workflow's pending row, appends the decision and its event. $4 time, $5 lease, $6.. decision.
  claim:
    "WITH claimed AS (UPDATE S.kern_runs r SET status = 'running', revision = r.revision + 1, updated_at = $4, lease_expires_at = $5 " +
    "FROM unnest($1::text[], $2::text[], $3::bigint[]) AS c(kind, run_id, revision) " +
    "WHERE r.kind = c.kind AND r.run_id = c.run_id AND r.revision = c.revision AND r.status = 'paused' RETURNING r.kind, r.run_id, r.session_id, r.owner_id), " +
    "workflow AS (SELECT * FROM claimed WHERE kind = 'workflow' AND (SELECT count(*) FROM claimed) = cardinality($1::text[])), " +
    "gone AS (DELETE FROM S.kern_pending_requirements p USING workflow w WHERE p.kind = w.kind AND p.run_id = w.run_id), " +
    "decision AS (INSERT INTO S.kern_decisions (kind, run_id, seq, requirement_id, gate_kind, decision, actor_id, actor_roles, automatic, decided_at, shown_digest, link_id, prev_hash, hash) " +
    "SELECT kind, run_id, $6::bigint, $7::text, $8::text, $9::text, $10::text, $11::jsonb, $12::boolean, $4::bigint, $13::text, $14::text, $15::text, $16::text FROM workflow), " +
    "event AS (INSERT INTO S.kern_outbox (event_key, event_type, kind, run_id, session_id, owner_id, requirement_id, data, created_at, next_attempt_at) " +
    "SELECT $17::text, 'requirement.decided', kind, run_id, session_id, owner_id, $7::text, $18::text, $4::bigint, $4::bigint FROM workflow) " +
    "SELECT count(*)::int AS n FROM workflow",
  result: "UPDATE S.kern_runs SET revision = revision + 1, updated_at = $2, state = $3 WHERE kind = 'agent' AND run_id = $1 AND revision = 2",
  end:
    "WITH w AS (UPDATE S.kern_runs SET status = 'completed', revision = revision + 1, updated_at = $3, lease_expires_at = NULL, state = $4 " +
    "WHERE kind = 'workflow' AND run_id = $1 AND revision = 5 RETURNING 1), a AS (UPDATE S.kern_runs SET status = 'completed', revision = revision + 1, " +
    "updated_at = $3, lease_expires_at = NULL, state = $5 WHERE kind = 'agent' AND run_id = $2 AND revision = 3 RETURNING 1) " +
    "SELECT (SELECT count(*) FROM w)::int + (SELECT count(*) FROM a)::int AS n",
};

const PENDING_AND_EVENT =
  "pending AS (INSERT INTO S.kern_pending_requirements (kind, run_id, requirement_id, position, session_id, owner_id, requirement_kind, summary, created_at) " +
  "SELECT kind, run_id, $5::text, 0, session_id, owner_id, $6::text, $7::text, $3::bigint FROM saved), " +
  "event AS (INSERT INTO S.kern_outbox (event_key, event_type, kind, run_id, session_id, owner_id, requirement_id, data, created_at, next_attempt_at) " +
  "SELECT $8::text, 'requirement.paused', kind, run_id, session_id, owner_id, $5::text, $9::text, $3::bigint, $3::bigint FROM saved)";

const eventKey = (runId, requirementId, type) => `workflow:${runId}:${encodeURIComponent(requirementId)}:${type}`;

/**
 * Returns `{ cycle, close }` on `pool` (pg.Pool) in `schema`, which kern's PostgresDb migrated.
 * `plan`: the payloads from `floorPlan()`. `onCommit(label)` is called after each commit.
 */
export function floorPostgresCycle({ pool, schema, plan, onCommit = async () => undefined }) {
  const quoted = `"${schema.replace(/"/g, '""')}".`;
  const statements = Object.fromEntries(
    Object.entries(SQL).map(([name, text]) => [name, { name: `floor_${schema}_${name}`, text: text.replace("PENDING_AND_EVENT", PENDING_AND_EVENT).replace(/\bS\./g, quoted) }]),
  );
  const one = async (name, values, label) => {
    const { rows } = await pool.query({ ...statements[name], values });
    if (label !== undefined) await onCommit(label);
    return rows[0];
  };
  const read = (kind, runId) => one("read", [kind, runId]);
  const { states } = plan;

  async function show(runId) {
    const row = await read("workflow", runId);
    const [[, kind, summary]] = row.pending;
    return `${kind}: ${summary} (${Object.keys(JSON.parse(row.state)).length} fields)`;
  }

  function pauseValues(ids, index, revision, state) {
    const requirement = plan.pending[index];
    const event = plan.pausedEvents[index];
    return [ids.runId, revision, Date.now(), state, requirement.requirementId, requirement.requirementKind, requirement.summary, eventKey(ids.runId, requirement.requirementId, event.event_type), event.data];
  }

  async function claim(ids, index, runs) {
    const now = Date.now();
    const d = plan.decisions[index];
    const event = plan.decidedEvents[index];
    const values = [runs.map((run) => run[0]), runs.map((run) => run[1]), runs.map((run) => run[2]), now, now + LEASE_MS, d.seq, d.requirement_id, d.gate_kind, d.decision, d.actor_id, d.actor_roles, d.automatic === 1, d.shown_digest, d.link_id, d.prev_hash, d.hash, eventKey(ids.runId, d.requirement_id, event.event_type), event.data];
    check((await one("claim", values, `claim ${index + 1}`)).n === 1, `claim ${index + 1} won`);
  }

  return {
    async cycle({ show: showing = false } = {}) {
      const ids = { runId: randomUUID(), agentRunId: randomUUID(), sessionId: randomUUID() };
      let sent = 0;
      const now = Date.now();
      check((await one("insert", [ids.runId, ids.sessionId, plan.userId, plan.workflowOwner, now, states.inserted], "insert")).n === 1, "the run was inserted");
      check((await one("pause1", pauseValues(ids, 0, 1, states.pause1), "pause 1")).n === 1, "pause 1 saved");

      if (showing) await show(ids.runId);
      let row = await read("workflow", ids.runId);
      check(row.status === "paused" && Number(row.revision) === 2, "pause 1 is stored");
      await claim(ids, 0, [["workflow", ids.runId, 2]]);
      const pause2 = [...pauseValues(ids, 1, 3, states.pause2Workflow), ids.agentRunId, plan.agentOwner, states.pause2Agent];
      check((await one("pause2", pause2, "pause 2")).n === 1, "pause 2 saved");

      if (showing) await show(ids.runId);
      row = await read("workflow", ids.runId);
      const agent = await read("agent", ids.agentRunId);
      check(row.status === "paused" && agent.status === "paused", "pause 2 is stored");
      await claim(ids, 1, [["workflow", ids.runId, 4], ["agent", ids.agentRunId, 1]]);
      sent += 1; // the tool's side effect
      const { rowCount } = await pool.query({ ...statements.result, values: [ids.agentRunId, Date.now(), states.toolResult] });
      await onCommit("tool result");
      check(rowCount === 1, "the tool result saved");
      check((await one("end", [ids.runId, ids.agentRunId, Date.now(), states.endWorkflow, states.endAgent], "end")).n === 2, "both runs ended");
      check(sent === 1, "the tool ran once");
    },
    close: async () => undefined,
  };
}
