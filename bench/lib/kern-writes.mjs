// What kern writes in one dual-HITL cycle, captured from a real cycle on a scratch SqliteDb: every
// write call with its records (kind, status, state text, pending list) and decisions, and, read
// back from the file afterwards, the rows kern keeps (decisions, outbox events). The floors write
// these very strings, so their JSON sizes are kern's by construction, whatever kern stores today.
import fs from "node:fs";
import path from "node:path";
import { SqliteDb } from "kern/db/sqlite";
import { effects, kernCycle } from "../frameworks/kern.mjs";
import { check } from "./stats.mjs";

const WRITE_METHODS = ["insertRun", "updateRun", "writeRuns"];

/** The writes of one call as `[{ record, expectedRevision, decisions }]`, whatever the method. */
function writesOf(method, args) {
  if (method === "writeRuns") return args[0].map((write) => ({ ...write, decisions: write.decisions ?? [] }));
  return [{ record: args[0], expectedRevision: method === "insertRun" ? null : args[1], decisions: [] }];
}

/**
 * Returns `{ calls, decisions, outbox }`: `calls` in order, each `{ method, toolRan, writes }`
 * (`toolRan`: whether the tool had run when the call was made); `decisions` and `outbox` are the
 * rows of kern_decisions and kern_outbox after the cycle, as stored.
 */
export async function captureKernCycle(dir) {
  const file = path.join(fs.mkdtempSync(path.join(dir, "kern-capture-")), "kern.db");
  const db = new SqliteDb({ dbFile: file });
  const calls = [];
  for (const method of WRITE_METHODS) {
    const original = db[method].bind(db);
    db[method] = (...args) => {
      calls.push({ method, toolRan: effects.sent > 0, writes: structuredClone(writesOf(method, args)) });
      return original(...args);
    };
  }
  await kernCycle({ openDb: async () => db, closeDb: async () => undefined })();
  await db.close();
  const { createRequire } = await import("node:module");
  const Database = createRequire(import.meta.resolve("kern/db/sqlite"))("better-sqlite3");
  const raw = new Database(file, { readonly: true });
  // Only the captured cycle's rows, whatever else the file holds.
  const runIds = JSON.stringify([...new Set(calls.flatMap((call) => call.writes.map((write) => write.record.runId)))]);
  const decisions = raw.prepare("SELECT * FROM kern_decisions WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY decided_at, seq").all(runIds);
  const outbox = raw.prepare("SELECT * FROM kern_outbox WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, event_key").all(runIds);
  raw.close();
  return { calls, decisions, outbox };
}

const records = (calls) => calls.flatMap((call) => call.writes.map((write) => ({ ...write.record, toolRan: call.toolRan })));

/**
 * The payloads of the floor's seven writes (see bench/FLOOR.md), taken from a captured kern cycle:
 * the state text kern stored at the same point, the pending requirement rows, the decision rows
 * and the outbox event rows. Throws when the capture lacks a point the floor needs.
 */
export function floorPlan({ calls, decisions, outbox }) {
  const all = records(calls);
  const workflow = all.filter((record) => record.kind === "workflow");
  const agent = all.filter((record) => record.kind === "agent");
  const pauses = workflow.filter((record) => record.status === "paused");
  const last = (list, status) => list.filter((record) => record.status === status).at(-1);
  check(workflow.length > 0 && pauses.length === 2, `kern stored two pauses of the workflow run (saw ${pauses.length})`);
  const agentPaused = agent.find((record) => record.status === "paused");
  // The tool's result: the agent's last state stored after the tool ran and before the end.
  const toolResult = agent.filter((record) => record.toolRan && record.status === "running").at(-1) ?? last(agent, "completed");
  const ends = { workflow: last(workflow, "completed"), agent: last(agent, "completed") };
  check(agentPaused !== undefined && toolResult !== undefined && ends.workflow !== undefined && ends.agent !== undefined, "kern stored the agent's pause, its tool result and both ends");
  check(decisions.length === 2, `kern stored two decisions (saw ${decisions.length})`);
  const pausedEvents = outbox.filter((row) => row.event_type === "requirement.paused");
  const decidedEvents = outbox.filter((row) => row.event_type === "requirement.decided");
  check(pausedEvents.length === 2 && decidedEvents.length === 2, "kern enqueued two pause and two decision events");
  const pending = pauses.map((record) => {
    check(record.pending.length === 1, "each pause has one pending requirement");
    return record.pending[0];
  });
  return {
    workflowOwner: workflow[0].ownerId,
    agentOwner: agentPaused.ownerId,
    userId: workflow[0].userId,
    states: {
      inserted: workflow[0].state,
      pause1: pauses[0].state,
      pause2Workflow: pauses[1].state,
      pause2Agent: agentPaused.state,
      toolResult: toolResult.state,
      endWorkflow: ends.workflow.state,
      endAgent: ends.agent.state,
    },
    pending,
    decisions,
    pausedEvents,
    decidedEvents,
  };
}

/** Bytes of every state text kern wrote in the cycle, per call, for the report. */
export function kernWriteSizes({ calls }) {
  return calls.map((call) => ({
    method: call.method,
    records: call.writes.map(({ record, decisions }) => `${record.kind}:${record.status} ${Buffer.byteLength(record.state)} B` + (decisions.length > 0 ? ` +${decisions.length} decision` : "")),
  }));
}
