// The SQLite run table an application keeps for a framework that hands it serialized state
// (OpenAI Agents JS's RunState string): one row per run, claimed with a compare-and-set on its
// revision, exactly as the raw floor and kern's SqliteDb do. WAL, synchronous=NORMAL (kern's
// SqliteDb defaults to FULL; the durability part times it at both).
import Database from "better-sqlite3";
import { check } from "./stats.mjs";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS app_runs (
    run_id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state TEXT NOT NULL
  )`;

export class RunTable {
  constructor(file) {
    this.database = new Database(file);
    this.database.pragma("journal_mode = WAL");
    this.database.pragma("synchronous = NORMAL");
    this.database.exec(SCHEMA);
    this.insertStatement = this.database.prepare(
      "INSERT INTO app_runs (run_id, stage, status, revision, updated_at, state) VALUES (?, ?, 'paused', 1, ?, ?)",
    );
    this.readStatement = this.database.prepare("SELECT stage, status, revision, state FROM app_runs WHERE run_id = ?");
    this.claimStatement = this.database.prepare(
      "UPDATE app_runs SET status = 'running', revision = revision + 1, updated_at = ? WHERE run_id = ? AND revision = ? AND status = 'paused'",
    );
    this.updateStatement = this.database.prepare(
      "UPDATE app_runs SET stage = ?, status = ?, revision = revision + 1, updated_at = ?, state = ? WHERE run_id = ? AND revision = ?",
    );
  }

  insertPaused(runId, stage, state) {
    this.insertStatement.run(runId, stage, Date.now(), state);
  }

  /** Reads a paused run and claims it; returns its row with the claimed revision. */
  claim(runId) {
    const row = this.readStatement.get(runId);
    check(row?.status === "paused", `run ${runId} is stored and paused`);
    check(this.claimStatement.run(Date.now(), runId, row.revision).changes === 1, "the claim won");
    return { ...row, revision: row.revision + 1 };
  }

  update(runId, revision, stage, status, state) {
    check(this.updateStatement.run(stage, status, Date.now(), state, runId, revision).changes === 1, "the update matched the claim");
  }

  read(runId) {
    return this.readStatement.get(runId);
  }

  close() {
    this.database.close();
  }
}
