// Every system the dual-HITL cycle is timed on. Each entry's `create(options)` builds
// `{ cycle, storedBytes, close, counter, traceCommits? }`: `cycle({ show })` runs one checked cycle;
// `storedBytes()` runs one more and measures the stored state at its pause 2; `counter` says how to
// count the cycle's writes (a SQLite file, or the PostgreSQL cluster); `traceCommits(hook)` makes
// kern and the floors call `hook(label)` after each commit, for the per-commit breakdown.
// Two object lifetimes: "new ... per phase" (no suffix) opens the storage and builds the framework
// objects anew in every phase; `-shared` builds both once per process, as a long-running service.
import { kernTargets } from "./target-kit.mjs";
import { POSTGRES_TARGETS } from "./targets-postgres.mjs";
import { SQLITE_TARGETS } from "./targets-sqlite.mjs";

export const TARGETS = {
  "kern-memory": {
    label: "kern · InMemoryDb",
    store: "memory",
    async create() {
      const { InMemoryDb } = await import("kern/db/memory");
      const { service } = await kernTargets();
      return { ...service(new InMemoryDb()), close: async () => undefined, counter: null };
    },
  },
  ...SQLITE_TARGETS,
  ...POSTGRES_TARGETS,
};
