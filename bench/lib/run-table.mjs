// The SQLite run table an application keeps for a framework that hands it serialized state
// (OpenAI Agents JS's RunState string): one row per run, claimed with a compare-and-set on its
// revision, as kern's SqliteDb does. WAL, synchronous=FULL (kern's SqliteDb default), so a
// stored row survives a power loss as kern's does. PgRunTable is the same table on PostgreSQL.
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
    this.database.pragma("synchronous = FULL");
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

/** The same run table on a pg pool, in schema bench_openai_agents: one round trip per statement. */
export class PgRunTable {
  static async create(pool) {
    await pool.query("CREATE SCHEMA IF NOT EXISTS bench_openai_agents");
    await pool.query(SCHEMA.replace("app_runs", "bench_openai_agents.app_runs").replace("updated_at INTEGER", "updated_at BIGINT"));
    return new PgRunTable(pool);
  }

  constructor(pool) {
    this.pool = pool;
  }

  async insertPaused(runId, stage, state) {
    await this.pool.query({ name: "app_insert", text: "INSERT INTO bench_openai_agents.app_runs (run_id, stage, status, revision, updated_at, state) VALUES ($1, $2, 'paused', 1, $3, $4)", values: [runId, stage, Date.now(), state] });
  }

  async claim(runId) {
    const row = await this.read(runId);
    check(row?.status === "paused", `run ${runId} is stored and paused`);
    const { rowCount } = await this.pool.query({
      name: "app_claim",
      text: "UPDATE bench_openai_agents.app_runs SET status = 'running', revision = revision + 1, updated_at = $1 WHERE run_id = $2 AND revision = $3 AND status = 'paused'",
      values: [Date.now(), runId, row.revision],
    });
    check(rowCount === 1, "the claim won");
    return { ...row, revision: row.revision + 1 };
  }

  async update(runId, revision, stage, status, state) {
    const { rowCount } = await this.pool.query({
      name: "app_update",
      text: "UPDATE bench_openai_agents.app_runs SET stage = $1, status = $2, revision = revision + 1, updated_at = $3, state = $4 WHERE run_id = $5 AND revision = $6",
      values: [stage, status, Date.now(), state, runId, revision],
    });
    check(rowCount === 1, "the update matched the claim");
  }

  async read(runId) {
    const { rows } = await this.pool.query({ name: "app_read", text: "SELECT stage, status, revision, state FROM bench_openai_agents.app_runs WHERE run_id = $1", values: [runId] });
    return rows[0];
  }
}
