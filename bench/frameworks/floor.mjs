// The raw SQLite floor: exactly the durable writes kern's design requires for the dual-HITL cycle
// (bench/FLOOR.md lists them with the reason for each), made with better-sqlite3 alone on kern's
// own tables and indexes, with kern's pragmas (WAL, synchronous FULL by default, foreign keys on),
// writing the very strings a kern cycle stored (lib/kern-writes.mjs). Seven commits per cycle.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { check } from "../lib/stats.mjs";

/** kern's copy of better-sqlite3: the same SQLite build as kern, and one copy per file in a process. */
export const KernSqlite = createRequire(import.meta.resolve("kern/db/sqlite"))("better-sqlite3");

const SQL = {
  // kern's own read: the run and its pending list in one statement.
  read:
    "SELECT status, revision, state, (SELECT json_group_array(json_array(p.requirement_id, p.requirement_kind, p.summary)) " +
    "FROM kern_pending_requirements p WHERE p.kind = r.kind AND p.run_id = r.run_id) AS pending FROM kern_runs r WHERE kind = ? AND run_id = ?",
  insertRun:
    "INSERT INTO kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, created_at, updated_at, lease_expires_at, state) " +
    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)",
  insertSession: "INSERT INTO kern_sessions (session_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
  save: "UPDATE kern_runs SET status = ?, revision = revision + 1, updated_at = ?, lease_expires_at = NULL, state = ? WHERE kind = ? AND run_id = ? AND revision = ?",
  claim:
    "UPDATE kern_runs SET status = 'running', revision = revision + 1, updated_at = ?, lease_expires_at = ? " +
    "WHERE kind = ? AND run_id = ? AND revision = ? AND status = 'paused'",
  result: "UPDATE kern_runs SET revision = revision + 1, updated_at = ?, state = ? WHERE kind = ? AND run_id = ? AND revision = ?",
  insertPending:
    "INSERT INTO kern_pending_requirements (kind, run_id, requirement_id, position, session_id, owner_id, requirement_kind, summary, created_at) " +
    "VALUES ('workflow', ?, ?, 0, ?, ?, ?, ?, ?)",
  deletePending: "DELETE FROM kern_pending_requirements WHERE kind = 'workflow' AND run_id = ?",
  insertDecision:
    "INSERT INTO kern_decisions (kind, run_id, seq, requirement_id, gate_kind, decision, actor_id, actor_roles, automatic, decided_at, shown_digest, link_id, prev_hash, hash) " +
    "VALUES ('workflow', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  insertEvent:
    "INSERT INTO kern_outbox (event_key, event_type, kind, run_id, session_id, owner_id, requirement_id, data, created_at, next_attempt_at) " +
    "VALUES (?, ?, 'workflow', ?, ?, ?, ?, ?, ?, ?)",
};

const LEASE_MS = 60_000;

/** The open connection: kern's pragmas, statements prepared on first use, one transaction per write. */
function open(file, synchronous) {
  const database = new KernSqlite(file, { timeout: 5000 });
  database.pragma("journal_mode = WAL");
  database.pragma(`synchronous = ${synchronous}`);
  database.pragma("foreign_keys = ON");
  const prepared = {};
  const statement = (name) => (prepared[name] ??= database.prepare(SQL[name]));
  const run = (name, ...values) => statement(name).run(...values).changes;
  const transaction = database.transaction((work) => work());
  const write = (work) => transaction.immediate(work);
  return { database, statement, run, write };
}

/** A decision row (kern's, captured) for this run at `seq`, as kern_decisions columns. */
const decisionValues = (row, runId, now) => [runId, row.seq, row.requirement_id, row.gate_kind, row.decision, row.actor_id, row.actor_roles, row.automatic, now, row.shown_digest, row.link_id, row.prev_hash, row.hash];

/** An outbox event row (kern's, captured) for this run: kern keys it by kind, run id, requirement and type. */
const eventValues = (row, ids, now) => [
  `workflow:${ids.runId}:${encodeURIComponent(row.requirement_id)}:${row.event_type}`,
  row.event_type,
  ids.runId,
  ids.sessionId,
  row.owner_id,
  row.requirement_id,
  row.data,
  now,
  now,
];

/**
 * Returns `{ cycle, close }`. `plan`: the payloads from `floorPlan()`. `fresh`: open and close a
 * connection in every phase (pragmas, statements), as a new object graph must; otherwise one
 * connection. `onCommit(label)` is called after each commit (the write counts use it).
 */
export function floorSqliteCycle({ file, fresh, plan, synchronous = "FULL", onCommit = () => undefined }) {
  let shared = fresh ? null : open(file, synchronous);
  const connect = () => shared ?? open(file, synchronous);
  const release = (connection) => connection !== shared && connection.database.close();
  const { states } = plan;

  /** What an approver is shown: the run and its pending list, read and parsed. */
  function show(connection, runId) {
    const row = connection.statement("read").get("workflow", runId);
    const [[, kind, summary]] = JSON.parse(row.pending);
    return `${kind}: ${summary} (${Object.keys(JSON.parse(row.state)).length} fields)`;
  }

  function claim(connection, ids, index, rows) {
    const now = Date.now();
    connection.write(() => {
      for (const [kind, runId, revision] of rows) check(connection.run("claim", now, now + LEASE_MS, kind, runId, revision) === 1, `the claim of the ${kind} run won`);
      connection.run("deletePending", ids.runId);
      connection.run("insertDecision", ...decisionValues(plan.decisions[index], ids.runId, now));
      connection.run("insertEvent", ...eventValues(plan.decidedEvents[index], ids, now));
    });
    onCommit(`claim ${index + 1}`);
  }

  function pause(connection, ids, index, work) {
    const now = Date.now();
    const requirement = plan.pending[index];
    connection.write(() => {
      work(now);
      connection.run("insertPending", ids.runId, requirement.requirementId, ids.sessionId, plan.workflowOwner, requirement.requirementKind, requirement.summary, now);
      connection.run("insertEvent", ...eventValues(plan.pausedEvents[index], ids, now));
    });
    onCommit(`pause ${index + 1}`);
  }

  return {
    async cycle({ show: showing = false } = {}) {
      const ids = { runId: randomUUID(), agentRunId: randomUUID(), sessionId: randomUUID() };
      let sent = 0;
      // (1) the run is stored before it acts, then its first pause.
      let connection = connect();
      let now = Date.now();
      connection.write(() => {
        connection.run("insertRun", "workflow", ids.runId, ids.sessionId, plan.userId, plan.workflowOwner, "running", now, now, states.inserted);
        connection.run("insertSession", ids.sessionId, plan.userId, now, now);
      });
      onCommit("insert");
      pause(connection, ids, 0, (time) => check(connection.run("save", "paused", time, states.pause1, "workflow", ids.runId, 1) === 1, "pause 1 saved"));
      release(connection);

      // (2) load, claim, the agent runs to its tool gate: pause 2 stores both runs.
      connection = connect();
      if (showing) show(connection, ids.runId);
      let row = connection.statement("read").get("workflow", ids.runId);
      check(row.status === "paused" && row.revision === 2, "pause 1 is stored");
      claim(connection, ids, 0, [["workflow", ids.runId, 2]]);
      pause(connection, ids, 1, (time) => {
        check(connection.run("save", "paused", time, states.pause2Workflow, "workflow", ids.runId, 3) === 1, "pause 2 saved");
        connection.run("insertRun", "agent", ids.agentRunId, ids.sessionId, plan.userId, plan.agentOwner, "paused", time, time, states.pause2Agent);
      });
      release(connection);

      // (3) load, claim both runs, the tool runs once, its result, the end.
      connection = connect();
      if (showing) show(connection, ids.runId);
      row = connection.statement("read").get("workflow", ids.runId);
      const agent = connection.statement("read").get("agent", ids.agentRunId);
      check(row.status === "paused" && agent.status === "paused", "pause 2 is stored");
      claim(connection, ids, 1, [["workflow", ids.runId, 4], ["agent", ids.agentRunId, 1]]);
      sent += 1; // the tool's side effect
      now = Date.now();
      connection.write(() => check(connection.run("result", now, states.toolResult, "agent", ids.agentRunId, 2) === 1, "the tool result saved"));
      onCommit("tool result");
      now = Date.now();
      connection.write(() => {
        check(connection.run("save", "completed", now, states.endWorkflow, "workflow", ids.runId, 5) === 1, "the workflow run ended");
        check(connection.run("save", "completed", now, states.endAgent, "agent", ids.agentRunId, 3) === 1, "the agent run ended");
      });
      onCommit("end");
      release(connection);
      check(sent === 1, "the tool ran once");
    },
    async close() {
      shared?.database.close();
      shared = null;
    },
  };
}
