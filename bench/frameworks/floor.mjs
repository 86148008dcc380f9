// The raw SQLite floor: what kern's SqliteDb must do per dual-HITL cycle, with no framework.
// better-sqlite3, WAL, synchronous=NORMAL; one run row; an insert at pause 1, then at each
// continue a read, a compare-and-set claim (its own commit, as a claim must be durable before
// any side effect) and an update. The state written is a string of the size kern stores.
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { check } from "../lib/stats.mjs";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state TEXT NOT NULL
  )`;

function open(file) {
  const database = new Database(file);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.exec(SCHEMA);
  return {
    database,
    insert: database.prepare("INSERT INTO runs (run_id, status, revision, updated_at, state) VALUES (?, ?, 1, ?, ?)"),
    read: database.prepare("SELECT status, revision, state FROM runs WHERE run_id = ?"),
    claim: database.prepare("UPDATE runs SET status = 'running', revision = revision + 1, updated_at = ? WHERE run_id = ? AND revision = ? AND status = 'paused'"),
    update: database.prepare("UPDATE runs SET status = ?, revision = revision + 1, updated_at = ?, state = ? WHERE run_id = ? AND revision = ?"),
  };
}

/**
 * `fresh`: open (and close) the file in every phase, as a fresh object graph must; otherwise one
 * connection with statements prepared once. `stateBytes`: the size of the state each write stores.
 */
export function floorCycle({ file, fresh, stateBytes }) {
  const payload = "x".repeat(stateBytes);
  let shared = fresh ? null : open(file);
  const connect = () => shared ?? open(file);
  const release = (connection) => {
    if (connection !== shared) connection.database.close();
  };

  function continuePhase(runId, nextStatus) {
    const connection = connect();
    const row = connection.read.get(runId);
    check(row?.status === "paused", "the stored run is paused");
    const claimed = connection.claim.run(Date.now(), runId, row.revision).changes;
    check(claimed === 1, "the claim won");
    const updated = connection.update.run(nextStatus, Date.now(), payload, runId, row.revision + 1).changes;
    check(updated === 1, "the update matched the claimed revision");
    release(connection);
  }

  async function cycle() {
    const runId = randomUUID();
    const connection = connect();
    connection.insert.run(runId, "paused", Date.now(), payload);
    release(connection);
    continuePhase(runId, "paused");
    continuePhase(runId, "completed");
  }
  return {
    cycle,
    close: async () => {
      shared?.database.close();
      shared = null;
    },
  };
}
