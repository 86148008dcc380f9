// The PostgreSQL targets, on the bench's throwaway cluster (PostgreSQL's default durability, see
// postgres-cluster.mjs): kern's PostgresDb in both object lifetimes, and the raw floor and the
// three peers as a long-running service keeps them, one pool and one set of framework objects for
// every phase (a service does not open a pool per request). Each system has its own schema.
import { createRequire } from "node:module";
import { capturedPlan, kernTargets, traceKernWrites } from "./target-kit.mjs";

const POSTGRES = { kind: "postgres" };

/** kern's own pg, so that a pool handed to PostgresDb is of the class it expects. */
const kernPg = () => createRequire(import.meta.resolve("kern/db/postgres"))("pg");

async function pausedBytes(cycle, measureAt) {
  let bytes;
  await cycle({ onPause2: async (...args) => (bytes = await measureAt(...args)) });
  return bytes;
}

export const POSTGRES_TARGETS = {
  "kern-postgres": {
    label: "kern · PostgresDb, new Db + Workflow per phase (app's pool)",
    store: "postgres",
    needsPostgres: true,
    async create({ pgUrl }) {
      const { PostgresDb } = await import("kern/db/postgres");
      const { kernCycle, measure } = await kernTargets();
      const pool = new (kernPg().Pool)({ connectionString: pgUrl, max: 10 });
      const schema = "bench_kern_fresh";
      await new PostgresDb({ pool, schema }).migrate();
      const cycle = kernCycle({ openDb: async () => new PostgresDb({ pool, schema }), closeDb: (db) => db.close() });
      return { cycle, storedBytes: measure(cycle), counter: POSTGRES, traceCommits: (hook) => traceKernWrites(PostgresDb, hook), close: () => pool.end() };
    },
  },
  "kern-postgres-shared": {
    label: "kern · PostgresDb, one Db + Workflow",
    store: "postgres",
    shared: true,
    needsPostgres: true,
    async create({ pgUrl }) {
      const { PostgresDb } = await import("kern/db/postgres");
      const { service } = await kernTargets();
      const db = new PostgresDb({ dbUrl: pgUrl, schema: "bench_kern" });
      await db.migrate();
      return { ...service(db), counter: POSTGRES, traceCommits: (hook) => traceKernWrites(PostgresDb, hook), close: () => db.close() };
    },
  },
  "floor-postgres-shared": {
    label: "raw PostgreSQL floor, one pool",
    store: "postgres",
    shared: true,
    needsPostgres: true,
    async create({ dir, pgUrl }) {
      const { PostgresDb } = await import("kern/db/postgres");
      const { floorPostgresCycle } = await import("../frameworks/floor-postgres.mjs");
      const { plan, storedBytes } = await capturedPlan(dir);
      const schema = "bench_floor";
      const setup = new PostgresDb({ dbUrl: pgUrl, schema });
      await setup.migrate(); // kern's own tables and indexes
      await setup.close();
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
      let hook = async () => undefined;
      const floor = floorPostgresCycle({ pool, schema, plan, onCommit: (label) => hook(label) });
      return { cycle: floor.cycle, storedBytes, counter: POSTGRES, traceCommits: (next) => (hook = next), close: () => pool.end() };
    },
  },
  "openai-agents-postgres-shared": {
    label: "OpenAI Agents JS, one pool + Agent",
    store: "postgres",
    shared: true,
    needsPostgres: true,
    async create({ pgUrl }) {
      const { default: pg } = await import("pg");
      const { PgRunTable } = await import("./run-table.mjs");
      const { buildAgent, openaiAgentsCycle, storedStateBytes } = await import("../frameworks/openai-agents.mjs");
      const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
      const table = await PgRunTable.create(pool);
      const agent = buildAgent();
      const cycle = openaiAgentsCycle({ openStore: () => table, closeStore: () => undefined, agentOf: () => agent });
      return { cycle, storedBytes: () => pausedBytes(cycle, storedStateBytes), counter: POSTGRES, close: () => pool.end() };
    },
  },
  "langgraph-postgres-shared": {
    label: "LangGraph.js, one PostgresSaver + compiled graph",
    store: "postgres",
    shared: true,
    needsPostgres: true,
    async create({ pgUrl }) {
      const { buildGraph, langgraphCycle, openPostgresSaver } = await import("../frameworks/langgraph.mjs");
      const store = await openPostgresSaver(pgUrl);
      const graph = buildGraph(store.saver);
      const cycle = langgraphCycle({ openStore: () => store, closeStore: () => undefined, graphOf: () => graph });
      return { cycle, storedBytes: async () => ({ total: null }), counter: POSTGRES, close: () => store.saver.end() };
    },
  },
  "mastra-postgres-shared": {
    label: "Mastra, one PostgresStore + Mastra",
    store: "postgres",
    shared: true,
    needsPostgres: true,
    async create({ pgUrl }) {
      const { buildMastra, mastraCycle, openPostgresStore } = await import("../frameworks/mastra.mjs");
      const storage = await openPostgresStore(pgUrl);
      const built = buildMastra(storage);
      const cycle = mastraCycle({ openStore: () => storage, closeStore: async () => undefined, mastraOf: () => built });
      return { cycle, storedBytes: async () => ({ total: null }), counter: POSTGRES, close: () => storage.close() };
    },
  },
};
