// Every system the dual-HITL cycle is timed on. Each entry builds `{ cycle, storedBytes, close }`:
// `cycle()` runs one checked cycle; `storedBytes()` runs one more checked cycle and measures the
// stored state at its pause 2. Every phase builds a fresh framework object graph; what differs
// is the storage object: "new ... per phase" opens and closes it in every phase, a `-shared`
// target creates it once and reuses it across phases and cycles, as a long-running service does.
import path from "node:path";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { RunTable } from "./run-table.mjs";
import { check } from "./stats.mjs";

/**
 * A connection held open for the whole benchmark, as a live application holds its database:
 * without it, every fresh-object phase would close the last connection, and SQLite would then
 * checkpoint (with fsync) and delete the WAL each time, which no running service does. The read
 * maps the WAL index, which is what marks the connection as open to the others. It uses the
 * same SQLite library as the target: two copies of SQLite in one process must not share a file.
 * The one-connection targets need none: their own connection stays open for the whole run.
 */
function keepOpen(file) {
  const database = new Database(file);
  database.pragma("journal_mode = WAL");
  database.prepare("SELECT COUNT(*) FROM sqlite_master").get();
  return database;
}

/** The same for a libsql file (Mastra's LibSQLStore), through libsql's own client. */
async function keepOpenLibsql(file) {
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url: `file:${file}` });
  await client.execute("SELECT COUNT(*) FROM sqlite_master");
  return client;
}

async function kernTargets() {
  const { kernCycle, storedStateBytes } = await import("../frameworks/kern.mjs");
  const measure = (cycle) => async () => {
    let bytes;
    await cycle({ onPause2: async (db, refs) => (bytes = await storedStateBytes(db, refs)) });
    return bytes;
  };
  return { kernCycle, measure };
}

/** `{ cycle, storedBytes }` for OpenAI Agents JS on the run tables `openStore` gives. */
async function openaiAgentsTarget(storage) {
  const { openaiAgentsCycle, storedStateBytes } = await import("../frameworks/openai-agents.mjs");
  const cycle = openaiAgentsCycle(storage);
  const storedBytes = async () => {
    let bytes;
    await cycle({ onPause2: (table, runId) => (bytes = storedStateBytes(table, runId)) });
    return bytes;
  };
  return { cycle, storedBytes };
}

/** `{ cycle, storedBytes }` for LangGraph.js on the savers `openStore` gives. */
async function langgraphTarget(storage) {
  const { langgraphCycle, storedStateBytes } = await import("../frameworks/langgraph.mjs");
  const cycle = langgraphCycle(storage);
  const storedBytes = async () => {
    let bytes;
    await cycle({ onPause2: (database, threadId) => (bytes = storedStateBytes(database, threadId)) });
    return bytes;
  };
  return { cycle, storedBytes };
}

/** Mastra's stored bytes at pause 2: the workflow and agent snapshots, read through `execute`. */
function mastraStoredBytes(cycle, execute) {
  return async () => {
    let bytes;
    await cycle({
      onPause2: async (_storage, { runId, agentRunId }) => {
        const { rows } = await execute({
          sql: "SELECT workflow_name AS workflow, LENGTH(snapshot) AS bytes FROM mastra_workflow_snapshot WHERE run_id IN (?, ?)",
          args: [runId, agentRunId],
        });
        check(rows.length >= 2, "the workflow and agent snapshots are stored at pause 2");
        bytes = { total: rows.reduce((sum, row) => sum + Number(row.bytes), 0), rows: Object.fromEntries(rows.map((row) => [row.workflow, Number(row.bytes)])) };
      },
    });
    return bytes;
  };
}

/**
 * kern's SqliteDb at SQLite's `synchronous` NORMAL instead of its default FULL, in either storage
 * shape: the same cycle with one fsync fewer per commit, for the durability part.
 */
function kernSqliteNormal({ shared }) {
  return {
    label: `kern · SqliteDb (synchronous: "normal"), ${shared ? "one Db object" : "new Db per phase"}`,
    async create({ dir }) {
      const { SqliteDb } = await import("kern/db/sqlite");
      const { kernCycle, measure } = await kernTargets();
      const options = { dbFile: path.join(dir, shared ? "kern-shared-normal.db" : "kern-fresh-normal.db"), synchronous: "normal" };
      const keeper = new SqliteDb(options);
      await keeper.migrate();
      const cycle = shared
        ? kernCycle({ openDb: async () => keeper, closeDb: async () => undefined })
        : kernCycle({ openDb: async () => new SqliteDb(options), closeDb: (db) => db.close() });
      return { cycle, storedBytes: measure(cycle), close: () => keeper.close() };
    },
  };
}

export const TARGETS = {
  "kern-memory": {
    label: "kern · InMemoryDb",
    async create() {
      const { InMemoryDb } = await import("kern/db/memory");
      const { kernCycle, measure } = await kernTargets();
      const db = new InMemoryDb();
      const cycle = kernCycle({ openDb: async () => db, closeDb: async () => undefined });
      return { cycle, storedBytes: measure(cycle), close: async () => undefined };
    },
  },
  "kern-sqlite": {
    label: "kern · SqliteDb, new Db per phase",
    async create({ dir }) {
      const { SqliteDb } = await import("kern/db/sqlite");
      const { kernCycle, measure } = await kernTargets();
      const file = path.join(dir, "kern-fresh.db");
      const keeper = new SqliteDb({ dbFile: file });
      await keeper.migrate();
      const cycle = kernCycle({ openDb: async () => new SqliteDb({ dbFile: file }), closeDb: (db) => db.close() });
      return { cycle, storedBytes: measure(cycle), close: () => keeper.close() };
    },
  },
  "kern-sqlite-shared": {
    label: "kern · SqliteDb, one Db object",
    async create({ dir }) {
      const { SqliteDb } = await import("kern/db/sqlite");
      const { kernCycle, measure } = await kernTargets();
      const db = new SqliteDb({ dbFile: path.join(dir, "kern-shared.db") });
      const cycle = kernCycle({ openDb: async () => db, closeDb: async () => undefined });
      return { cycle, storedBytes: measure(cycle), close: () => db.close() };
    },
  },
  "kern-sqlite-normal": kernSqliteNormal({ shared: false }),
  "kern-sqlite-shared-normal": kernSqliteNormal({ shared: true }),
  "kern-postgres": {
    label: "kern · PostgresDb, new Db per phase",
    needsPostgres: true,
    async create({ pgUrl }) {
      const { PostgresDb } = await import("kern/db/postgres");
      const { kernCycle, measure } = await kernTargets();
      // kern's own pg, so the pool is the class PostgresDb expects.
      const pg = createRequire(import.meta.resolve("kern/db/postgres"))("pg");
      const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
      const schema = "bench_cycle";
      await new PostgresDb({ pool, schema }).migrate();
      const cycle = kernCycle({ openDb: async () => new PostgresDb({ pool, schema }), closeDb: (db) => db.close() });
      return { cycle, storedBytes: measure(cycle), close: () => pool.end() };
    },
  },
  "kern-postgres-shared": {
    label: "kern · PostgresDb, one Db object",
    needsPostgres: true,
    async create({ pgUrl }) {
      const { PostgresDb } = await import("kern/db/postgres");
      const { kernCycle, measure } = await kernTargets();
      const db = new PostgresDb({ dbUrl: pgUrl, schema: "bench_cycle_shared" });
      await db.migrate();
      const cycle = kernCycle({ openDb: async () => db, closeDb: async () => undefined });
      return { cycle, storedBytes: measure(cycle), close: () => db.close() };
    },
  },
  "floor-sqlite": {
    label: "raw SQLite floor, new connection per phase",
    async create({ dir, stateBytes }) {
      const { floorCycle } = await import("../frameworks/floor.mjs");
      const file = path.join(dir, "floor-fresh.db");
      const keeper = keepOpen(file);
      const { cycle, close } = floorCycle({ file, fresh: true, stateBytes });
      return { cycle, storedBytes: async () => ({ total: stateBytes }), close: async () => { await close(); keeper.close(); } };
    },
  },
  "floor-sqlite-shared": {
    label: "raw SQLite floor, one connection",
    async create({ dir, stateBytes }) {
      const { floorCycle } = await import("../frameworks/floor.mjs");
      const { cycle, close } = floorCycle({ file: path.join(dir, "floor-shared.db"), fresh: false, stateBytes });
      return { cycle, storedBytes: async () => ({ total: stateBytes }), close };
    },
  },
  "openai-agents": {
    label: "OpenAI Agents JS, new connection per phase",
    async create({ dir }) {
      const file = path.join(dir, "openai-agents.db");
      const keeper = keepOpen(file);
      const target = await openaiAgentsTarget({ openStore: () => new RunTable(file), closeStore: (table) => table.close() });
      return { ...target, close: async () => keeper.close() };
    },
  },
  "openai-agents-shared": {
    label: "OpenAI Agents JS, one connection",
    async create({ dir }) {
      // One connection, its statements prepared once, held for every phase and cycle.
      const table = new RunTable(path.join(dir, "openai-agents-shared.db"));
      const target = await openaiAgentsTarget({ openStore: () => table, closeStore: () => undefined });
      return { ...target, close: async () => table.close() };
    },
  },
  langgraph: {
    label: "LangGraph.js, new saver + connection per phase",
    async create({ dir }) {
      const { openSaver } = await import("../frameworks/langgraph.mjs");
      const file = path.join(dir, "langgraph.db");
      const keeper = keepOpen(file);
      const target = await langgraphTarget({ openStore: () => openSaver(file), closeStore: (store) => store.database.close() });
      return { ...target, close: async () => keeper.close() };
    },
  },
  "langgraph-shared": {
    label: "LangGraph.js, one saver + connection",
    async create({ dir }) {
      const { openSaver } = await import("../frameworks/langgraph.mjs");
      // One SqliteSaver on one connection; each phase still compiles the graph anew with it.
      const store = openSaver(path.join(dir, "langgraph-shared.db"));
      const target = await langgraphTarget({ openStore: () => store, closeStore: () => undefined });
      return { ...target, close: async () => store.database.close() };
    },
  },
  mastra: {
    label: "Mastra, new LibSQLStore per phase",
    async create({ dir }) {
      const { mastraCycle, openLibsqlStore } = await import("../frameworks/mastra.mjs");
      const file = path.join(dir, "mastra.db");
      const cycle = mastraCycle({ openStore: () => openLibsqlStore(file), closeStore: (storage) => storage.close() });
      await cycle(); // creates the file and Mastra's tables before the keeper opens it
      const keeper = await keepOpenLibsql(file);
      return { cycle, storedBytes: mastraStoredBytes(cycle, (query) => keeper.execute(query)), close: async () => keeper.close() };
    },
  },
  "mastra-shared": {
    label: "Mastra, one LibSQLStore object",
    async create({ dir }) {
      const { mastraCycle, openLibsqlStore } = await import("../frameworks/mastra.mjs");
      // One LibSQLStore (one libsql client) handed to every phase's new Mastra. Each new Mastra
      // wraps it in its own init-on-first-call proxy; the store caches its init, so the tables
      // are created once. Its connection stays open, so no keeper is needed.
      const storage = openLibsqlStore(path.join(dir, "mastra-shared.db"));
      const cycle = mastraCycle({ openStore: () => storage, closeStore: async () => undefined });
      return { cycle, storedBytes: mastraStoredBytes(cycle, (query) => storage.client.execute(query)), close: () => storage.close() };
    },
  },
};
