import type Database from "better-sqlite3";
import { StoreError } from "../../errors.js";

import type { Migration } from "../migration.js";

export type { Migration };

/** The SQLite schema, oldest first. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE kern_sessions (
        session_id TEXT PRIMARY KEY,
        user_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE kern_runs (
        kind TEXT NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        user_id TEXT,
        owner_id TEXT NOT NULL,
        status TEXT NOT NULL,
        revision INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        lease_expires_at INTEGER,
        state TEXT NOT NULL,
        PRIMARY KEY (kind, run_id)
      );
      CREATE INDEX kern_runs_by_owner ON kern_runs (kind, owner_id, status, updated_at);
      CREATE INDEX kern_runs_by_session ON kern_runs (session_id);
      CREATE INDEX kern_runs_by_lease ON kern_runs (status, lease_expires_at);

      -- position keeps the order of the run's pending list, so getRun() returns it unchanged.
      CREATE TABLE kern_pending_requirements (
        kind TEXT NOT NULL,
        run_id TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        requirement_kind TEXT NOT NULL,
        summary TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, run_id, requirement_id),
        FOREIGN KEY (kind, run_id) REFERENCES kern_runs (kind, run_id) ON DELETE CASCADE
      );
      CREATE INDEX kern_pending_inbox
        ON kern_pending_requirements (created_at, run_id, requirement_id, kind);
      CREATE INDEX kern_pending_inbox_by_owner
        ON kern_pending_requirements (owner_id, created_at, run_id, requirement_id, kind);
    `,
  },
  {
    // An inbox filtered by a requirement kind few (or no) rows have must not scan every row.
    version: 2,
    name: "inbox_by_requirement_kind",
    sql: `
      CREATE INDEX kern_pending_inbox_by_requirement_kind
        ON kern_pending_requirements (requirement_kind, created_at, run_id, requirement_id, kind);
    `,
  },
  {
    // Nothing reads by (status, lease_expires_at): recover() lists an owner's running runs
    // through kern_runs_by_owner. The index only cost a write on every claim and save.
    version: 3,
    name: "drop_runs_by_lease",
    sql: `DROP INDEX IF EXISTS kern_runs_by_lease;`,
  },
  {
    // The append-only record of who decided what (see DecisionRecord), written in the
    // transaction of the claim that acts on the decisions. No foreign key: an entry outlives
    // anything done to its run. actor_roles is a JSON array as text; automatic is 0 or 1.
    version: 4,
    name: "decisions",
    sql: `
      CREATE TABLE kern_decisions (
        kind TEXT NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        requirement_id TEXT NOT NULL,
        gate_kind TEXT NOT NULL,
        decision TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_roles TEXT NOT NULL,
        automatic INTEGER NOT NULL CHECK (automatic IN (0, 1)),
        decided_at INTEGER NOT NULL,
        shown_digest TEXT NOT NULL,
        link_id TEXT,
        prev_hash TEXT,
        hash TEXT NOT NULL,
        PRIMARY KEY (kind, run_id, seq)
      );
      CREATE INDEX kern_decisions_in_order ON kern_decisions (decided_at, kind, run_id, seq);
      CREATE INDEX kern_decisions_by_actor ON kern_decisions (actor_id, decided_at, kind, run_id, seq);
    `,
  },
  {
    // Standing approvals ("always allow this tool"), see GrantRecord. Looked up by agent and tool
    // on every gated call; listed by creator for the API. args_match is JSON text or NULL.
    version: 5,
    name: "grants",
    sql: `
      CREATE TABLE kern_grants (
        id TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind = 'agent'),
        owner_id TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('run', 'session', 'user', 'agent')),
        scope_id TEXT,
        args_match TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX kern_grants_in_order ON kern_grants (created_at, id);
      CREATE INDEX kern_grants_by_tool ON kern_grants (owner_id, tool_name, created_at, id);
      CREATE INDEX kern_grants_by_creator ON kern_grants (created_by, created_at, id);
    `,
  },
  {
    // The outbox of channel events (webhooks), see OutboxEvent. Rows are enqueued in the
    // transaction that stores what they report; the partial index serves the dispatcher's claim.
    version: 6,
    name: "outbox",
    sql: `
      CREATE TABLE kern_outbox (
        event_key TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_to TEXT NOT NULL DEFAULT '[]',
        delivered_at INTEGER,
        last_error TEXT,
        claim_token TEXT,
        lease_expires_at INTEGER
      );
      CREATE INDEX kern_outbox_in_order ON kern_outbox (created_at, event_key);
      CREATE INDEX kern_outbox_due ON kern_outbox (created_at, event_key) WHERE delivered_at IS NULL;
    `,
  },
  {
    // Each run's events (what its event stream reported), numbered per run, so a reader on any
    // process resumes after the last one it saw; created_at serves retention.
    version: 7,
    name: "run_events",
    sql: `
      CREATE TABLE kern_run_events (
        kind TEXT NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, run_id, seq)
      );
      CREATE INDEX kern_run_events_by_age ON kern_run_events (created_at);
    `,
  },
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS kern_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`;

/**
 * Applies every migration newer than the database's version. The cheap read first lets an
 * up-to-date database open without taking the write lock; the re-check inside `BEGIN IMMEDIATE`
 * makes a second process that raced us to a fresh file apply nothing.
 */
export function applyMigrations(
  database: Database.Database,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): void {
  const latest = migrations.at(-1)?.version ?? 0;
  if (appliedVersion(database, latest) >= latest) return;
  const apply = database.transaction(() => {
    database.exec(CREATE_MIGRATIONS_TABLE);
    const current = appliedVersion(database, latest);
    const record = database.prepare("INSERT INTO kern_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      database.exec(migration.sql);
      record.run(migration.version, migration.name, now());
    }
  });
  apply.immediate();
}

/** The highest applied version, or 0 for a fresh file; refuses a schema newer than this kern. */
function appliedVersion(database: Database.Database, latest: number): number {
  const table = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kern_migrations'").get();
  if (table === undefined) return 0;
  const row = database.prepare("SELECT MAX(version) AS version FROM kern_migrations").get();
  const version = readVersion(row);
  if (version > latest) {
    throw new StoreError(
      `This database has schema version ${version}, written by a newer kern; this kern knows ` +
        `versions up to ${latest}. Upgrade kern to open it.`,
    );
  }
  return version;
}

function readVersion(row: unknown): number {
  if (typeof row === "object" && row !== null && "version" in row) {
    const { version } = row;
    if (version === null) return 0;
    if (typeof version === "number") return version;
  }
  throw new StoreError(`kern_migrations holds an unreadable version row: ${JSON.stringify(row)}.`);
}
