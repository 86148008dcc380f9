// The SQLite targets: kern's SqliteDb, the raw floor and the three peers, each in both object
// lifetimes. Every system runs WAL with synchronous=FULL (kern's default: a commit survives a
// power loss), except Mastra, whose LibSQLStore sets synchronous=NORMAL on its own connections.
import path from "node:path";
import Database from "better-sqlite3";
import { RunTable } from "./run-table.mjs";
import { sqliteCounter } from "./write-counter.mjs";
import { capturedPlan, kernTargets, traceKernWrites } from "./target-kit.mjs";

/**
 * A connection held open for the whole benchmark, as a live application holds its database:
 * without it, every fresh-object phase would close the last connection, and SQLite would then
 * checkpoint (with fsync) and delete the WAL each time, which no running service does. It is
 * opened with the target's own SQLite library (two copies of SQLite in one process must not share
 * a file) and also runs the counter's checkpoints.
 */
function keepOpen(Driver, file) {
  const database = new Driver(file);
  database.pragma("journal_mode = WAL");
  database.prepare("SELECT COUNT(*) FROM sqlite_master").get();
  return database;
}

const checkpointer = (database) => async () => database.pragma("wal_checkpoint(TRUNCATE)")[0];

/** The same for a libsql file (Mastra's LibSQLStore), through libsql's own client. */
async function keepOpenLibsql(file) {
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url: `file:${file}` });
  await client.execute("SELECT COUNT(*) FROM sqlite_master");
  return client;
}

const libsqlCheckpointer = (client) => async () => (await client.execute("PRAGMA wal_checkpoint(TRUNCATE)")).rows[0];

/** kern's SqliteDb at `synchronous` ("full", its default, or "normal"), in either lifetime. */
function kernSqlite({ shared, synchronous = "full" }) {
  const setting = synchronous === "full" ? "" : `, synchronous ${synchronous.toUpperCase()}`;
  return {
    label: `kern · SqliteDb, ${shared ? "one Db + Workflow" : "new Db + Workflow per phase"}${setting}`,
    store: "sqlite",
    shared,
    async create({ dir }) {
      const { SqliteDb } = await import("kern/db/sqlite");
      const { KernSqlite } = await import("../frameworks/floor.mjs");
      const { kernCycle, measure, service } = await kernTargets();
      const options = { dbFile: path.join(dir, `kern-${shared ? "shared" : "fresh"}-${synchronous}.db`), synchronous };
      const setup = new SqliteDb(options);
      await setup.migrate();
      const keeper = keepOpen(KernSqlite, options.dbFile);
      await setup.close();
      const counter = sqliteCounter({ file: options.dbFile, checkpoint: checkpointer(keeper) });
      const traceCommits = (hook) => traceKernWrites(SqliteDb, hook);
      if (shared) {
        const db = new SqliteDb(options);
        return { ...service(db), counter, traceCommits, close: async () => { await db.close(); keeper.close(); } };
      }
      const cycle = kernCycle({ openDb: async () => new SqliteDb(options), closeDb: (db) => db.close() });
      return { cycle, storedBytes: measure(cycle), counter, traceCommits, close: async () => keeper.close() };
    },
  };
}

/** The raw floor on kern's schema, with kern's pragmas (see FLOOR.md). */
function floorSqlite({ shared, synchronous = "FULL" }) {
  return {
    label: `raw SQLite floor, ${shared ? "one connection" : "new connection per phase"}${synchronous === "FULL" ? "" : `, synchronous ${synchronous}`}`,
    store: "sqlite",
    shared,
    async create({ dir }) {
      const { SqliteDb } = await import("kern/db/sqlite");
      const { KernSqlite, floorSqliteCycle } = await import("../frameworks/floor.mjs");
      const { plan, storedBytes } = await capturedPlan(dir);
      const file = path.join(dir, `floor-${shared ? "shared" : "fresh"}-${synchronous}.db`);
      const setup = new SqliteDb({ dbFile: file });
      await setup.migrate(); // kern's own tables and indexes
      const keeper = keepOpen(KernSqlite, file);
      await setup.close();
      let hook = () => undefined;
      const floor = floorSqliteCycle({ file, fresh: !shared, plan, synchronous, onCommit: (label) => hook(label) });
      return {
        cycle: floor.cycle,
        storedBytes,
        counter: sqliteCounter({ file, checkpoint: checkpointer(keeper) }),
        traceCommits: (next) => (hook = next),
        close: async () => { await floor.close(); keeper.close(); },
      };
    },
  };
}

/** `{ cycle, storedBytes }` of a peer: `load()` imports its module, `storedOf(module, cycle)` measures. */
async function peer(load, options, storedOf) {
  const module = await load();
  const cycle = module[options.cycle](options);
  return { cycle, storedBytes: storedOf(module, cycle) };
}

const pause2Bytes = (measureAt) => (module, cycle) => async () => {
  let bytes;
  await cycle({ onPause2: async (...args) => (bytes = await measureAt(module, ...args)) });
  return bytes;
};

const openaiAgents = () => import("../frameworks/openai-agents.mjs");
const langgraph = () => import("../frameworks/langgraph.mjs");
const mastra = () => import("../frameworks/mastra.mjs");
const openaiBytes = pause2Bytes((module, table, runId) => module.storedStateBytes(table, runId));
const langgraphBytes = pause2Bytes((module, database, threadId) => module.storedStateBytes(database, threadId));

/** Mastra's stored bytes at pause 2: the workflow and agent snapshots, read through `execute`. */
const mastraBytes = (execute) => pause2Bytes(async (_module, _storage, { runId, agentRunId }) => {
  const { rows } = await execute({
    sql: "SELECT workflow_name AS workflow, LENGTH(snapshot) AS bytes FROM mastra_workflow_snapshot WHERE run_id IN (?, ?)",
    args: [runId, agentRunId],
  });
  return { total: rows.reduce((sum, row) => sum + Number(row.bytes), 0), rows: Object.fromEntries(rows.map((row) => [row.workflow, Number(row.bytes)])) };
});

export const SQLITE_TARGETS = {
  "kern-sqlite": kernSqlite({ shared: false }),
  "kern-sqlite-shared": kernSqlite({ shared: true }),
  "kern-sqlite-shared-normal": kernSqlite({ shared: true, synchronous: "normal" }),
  "floor-sqlite": floorSqlite({ shared: false }),
  "floor-sqlite-shared": floorSqlite({ shared: true }),
  "floor-sqlite-shared-normal": floorSqlite({ shared: true, synchronous: "NORMAL" }),
  "openai-agents": {
    label: "OpenAI Agents JS, new connection + Agent per phase",
    store: "sqlite",
    async create({ dir }) {
      const file = path.join(dir, "openai-agents.db");
      const keeper = keepOpen(Database, file);
      const options = { cycle: "openaiAgentsCycle", openStore: () => new RunTable(file), closeStore: (table) => table.close() };
      const target = await peer(openaiAgents, options, openaiBytes);
      return { ...target, counter: sqliteCounter({ file, checkpoint: checkpointer(keeper) }), close: async () => keeper.close() };
    },
  },
  "openai-agents-shared": {
    label: "OpenAI Agents JS, one connection + Agent",
    store: "sqlite",
    shared: true,
    async create({ dir }) {
      const file = path.join(dir, "openai-agents-shared.db");
      const table = new RunTable(file);
      const agent = (await openaiAgents()).buildAgent();
      const options = { cycle: "openaiAgentsCycle", openStore: () => table, closeStore: () => undefined, agentOf: () => agent };
      const target = await peer(openaiAgents, options, openaiBytes);
      return { ...target, counter: sqliteCounter({ file, checkpoint: checkpointer(table.database) }), close: async () => table.close() };
    },
  },
  langgraph: {
    label: "LangGraph.js, new saver + connection + graph per phase",
    store: "sqlite",
    async create({ dir }) {
      const file = path.join(dir, "langgraph.db");
      const keeper = keepOpen(Database, file);
      const { openSaver } = await langgraph();
      const options = { cycle: "langgraphCycle", openStore: () => openSaver(file), closeStore: (store) => store.database.close() };
      const target = await peer(langgraph, options, langgraphBytes);
      return { ...target, counter: sqliteCounter({ file, checkpoint: checkpointer(keeper) }), close: async () => keeper.close() };
    },
  },
  "langgraph-shared": {
    label: "LangGraph.js, one saver + connection + compiled graph",
    store: "sqlite",
    shared: true,
    async create({ dir }) {
      const { buildGraph, openSaver } = await langgraph();
      const file = path.join(dir, "langgraph-shared.db");
      const store = openSaver(file);
      const graph = buildGraph(store.saver);
      const options = { cycle: "langgraphCycle", openStore: () => store, closeStore: () => undefined, graphOf: () => graph };
      const target = await peer(langgraph, options, langgraphBytes);
      return { ...target, counter: sqliteCounter({ file, checkpoint: checkpointer(store.database) }), close: async () => store.database.close() };
    },
  },
  mastra: {
    label: "Mastra, new LibSQLStore (schema init) + Mastra per phase",
    store: "sqlite",
    async create({ dir }) {
      const { openLibsqlStore } = await mastra();
      const file = path.join(dir, "mastra.db");
      const options = { cycle: "mastraCycle", openStore: () => openLibsqlStore(file), closeStore: (storage) => storage.close() };
      const module = await mastra();
      const cycle = module.mastraCycle(options);
      await cycle(); // creates the file and Mastra's tables before the keeper opens it
      const keeper = await keepOpenLibsql(file);
      const storedBytes = mastraBytes((query) => keeper.execute(query))(module, cycle);
      return { cycle, storedBytes, counter: sqliteCounter({ file, checkpoint: libsqlCheckpointer(keeper) }), close: async () => keeper.close() };
    },
  },
  "mastra-shared": {
    label: "Mastra, one LibSQLStore + Mastra",
    store: "sqlite",
    shared: true,
    async create({ dir }) {
      const module = await mastra();
      const file = path.join(dir, "mastra-shared.db");
      const storage = module.openLibsqlStore(file);
      const built = module.buildMastra(storage);
      const cycle = module.mastraCycle({ openStore: () => storage, closeStore: async () => undefined, mastraOf: () => built });
      const storedBytes = mastraBytes((query) => storage.client.execute(query))(module, cycle);
      return { cycle, storedBytes, counter: sqliteCounter({ file, checkpoint: libsqlCheckpointer(storage.client) }), close: () => storage.close() };
    },
  },
};
