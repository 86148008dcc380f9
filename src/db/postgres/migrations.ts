import pg from "pg";
import { StoreError } from "../../errors.js";
import type { Migration } from "../migration.js";
import { timedQuery } from "./timeouts.js";
import { withTransaction } from "./transaction.js";

export type { Migration };

/**
 * The PostgreSQL schema, oldest first. Table names are unqualified: applyMigrations runs each
 * migration with search_path set to the target schema. Text columns that are compared or sorted
 * use the "C" collation: byte order, as in SQLite, whatever locale the database was created with,
 * so listings sort the same in every store and keyset pages never skip a row.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE kern_sessions (
        session_id TEXT COLLATE "C" PRIMARY KEY,
        user_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );

      CREATE TABLE kern_runs (
        kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT COLLATE "C" NOT NULL,
        session_id TEXT COLLATE "C" NOT NULL,
        user_id TEXT,
        owner_id TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        revision BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        lease_expires_at BIGINT,
        state TEXT NOT NULL,
        PRIMARY KEY (kind, run_id)
      );
      CREATE INDEX kern_runs_by_owner ON kern_runs (kind, owner_id, status, updated_at);
      CREATE INDEX kern_runs_by_session ON kern_runs (session_id);
      CREATE INDEX kern_runs_by_lease ON kern_runs (status, lease_expires_at);

      -- position keeps the order of the run's pending list, so getRun() returns it unchanged.
      CREATE TABLE kern_pending_requirements (
        kind TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        requirement_id TEXT COLLATE "C" NOT NULL,
        position INTEGER NOT NULL,
        session_id TEXT COLLATE "C" NOT NULL,
        owner_id TEXT COLLATE "C" NOT NULL,
        requirement_kind TEXT COLLATE "C" NOT NULL,
        summary TEXT NOT NULL,
        created_at BIGINT NOT NULL,
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
    // anything done to its run.
    version: 4,
    name: "decisions",
    sql: `
      CREATE TABLE kern_decisions (
        kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL CHECK (seq >= 1),
        requirement_id TEXT NOT NULL,
        gate_kind TEXT NOT NULL,
        decision TEXT NOT NULL,
        actor_id TEXT COLLATE "C" NOT NULL,
        actor_roles JSONB NOT NULL,
        automatic BOOLEAN NOT NULL,
        decided_at BIGINT NOT NULL,
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
    // on every gated call; listed by creator for the API. args_match is JSON text, kept as given.
    version: 5,
    name: "grants",
    sql: `
      CREATE TABLE kern_grants (
        id TEXT COLLATE "C" PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind = 'agent'),
        owner_id TEXT COLLATE "C" NOT NULL,
        tool_name TEXT COLLATE "C" NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('run', 'session', 'user', 'agent')),
        scope_id TEXT,
        args_match TEXT,
        created_by TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        revoked_at BIGINT
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
        event_key TEXT COLLATE "C" PRIMARY KEY,
        event_type TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('agent', 'workflow')),
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        delivered_to TEXT NOT NULL DEFAULT '[]',
        delivered_at BIGINT,
        last_error TEXT,
        claim_token TEXT,
        lease_expires_at BIGINT
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
        seq BIGINT NOT NULL,
        event TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
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
    applied_at BIGINT NOT NULL
  )`;

/** Any constant works; it keeps kern's advisory lock apart from an application's own ones. */
const MIGRATION_LOCK_CLASS = 0x6b65726e; // "kern"

/**
 * Creates `schema` if it is missing and applies every migration newer than its version. The cheap
 * read first lets an up-to-date schema open without taking a lock; the transaction-scoped
 * advisory lock (one per schema) makes a migrator that raced another to a fresh schema wait, then
 * re-read the version and apply nothing. Each statement is bounded by `statementTimeoutMs`, as
 * every other statement of kern's is (a migrator waiting for another one's lock included).
 */
export async function applyMigrations(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[],
  statementTimeoutMs: number,
  now: () => number = Date.now,
): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  const timed = (text: string, values?: unknown[]): pg.QueryConfig => timedQuery(text, statementTimeoutMs, values);
  if ((await appliedVersion(pool, schema, latest, timed)) >= latest) return;
  await withTransaction(pool, statementTimeoutMs, async (client) => {
    await client.query(timed("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_CLASS, schema]));
    await createSchemaIfMissing(client, schema, timed);
    // SET LOCAL ends with the transaction, so a pooled connection goes back unchanged.
    await client.query(timed(`SET LOCAL search_path TO ${pg.escapeIdentifier(schema)}`));
    await client.query(timed(CREATE_MIGRATIONS_TABLE));
    const current = await appliedVersion(client, schema, latest, timed);
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(timed(migration.sql));
      await client.query(
        timed("INSERT INTO kern_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
          migration.version,
          migration.name,
          now(),
        ]),
      );
    }
  });
}

type Timed = (text: string, values?: unknown[]) => pg.QueryConfig;

/** CREATE SCHEMA needs the CREATE right on the database even with IF NOT EXISTS: ask first. */
async function createSchemaIfMissing(client: pg.PoolClient, schema: string, timed: Timed): Promise<void> {
  const found = await client.query(timed("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]));
  if (found.rowCount === 0) await client.query(timed(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`));
}

/** The highest applied version, or 0 for a fresh schema; refuses a schema newer than this kern. */
async function appliedVersion(
  queryable: pg.Pool | pg.PoolClient,
  schema: string,
  latest: number,
  timed: Timed,
): Promise<number> {
  const table = `${pg.escapeIdentifier(schema)}.kern_migrations`;
  const exists = await queryable.query<{ exists: unknown }>(
    timed("SELECT to_regclass($1) IS NOT NULL AS exists", [table]),
  );
  if (exists.rows[0]?.exists !== true) return 0;
  const result = await queryable.query<{ version: unknown }>(timed(`SELECT MAX(version) AS version FROM ${table}`));
  const version = readVersion(result.rows[0]);
  if (version > latest) {
    throw new StoreError(
      `The PostgreSQL schema '${schema}' has kern schema version ${version}, written by a newer ` +
        `kern; this kern knows versions up to ${latest}. Upgrade kern to open it.`,
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
