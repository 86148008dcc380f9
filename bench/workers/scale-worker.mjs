// Scale and inbox timings on one kern store, in its own process:
//   node bench/workers/scale-worker.mjs <sqlite|postgres> <dir> <pgUrl|-> <sizes,comma,separated>
// For each size N: a fresh store holding N paused DualConfirmation runs (paused at the step gate)
// plus N/100 paused runs of a second workflow gated on user input. Setup copies the rows kern
// wrote for real paused runs (fresh ids, plain SQL in large batches) and is not timed; every
// listing and continue goes through kern's API and is timed. Prints one JSON line per size.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Step, Workflow } from "kern/workflow";
import { buildWorkflow, INPUT } from "../frameworks/kern.mjs";
import { check, median } from "../lib/stats.mjs";

const [backend, dir, pgUrl, sizesArg] = process.argv.slice(2);
const sizes = sizesArg.split(",").map(Number);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
// Concurrent requests for the networked store, as a server with a pool of 10 connections makes.
const CONCURRENCY = backend === "postgres" ? 8 : 1;
const REPEATS = 30;
// Continued per size: the same number at every size, spread evenly over the inbox, so the cost
// per continue is compared at equal work (continuing all 100,000 took minutes).
const CONTINUE_SAMPLE = 1000;

const sqliteUrl = import.meta.resolve("kern/db/sqlite");
const postgresUrl = import.meta.resolve("kern/db/postgres");

/** kern's own driver copies: a second copy of SQLite in this process must not open kern's files. */
const driver = (name, from) => createRequire(from)(name);

/** A store: the kern Db, plus raw access to its tables (for setup only) through kern's drivers. */
async function openStore(name) {
  if (backend === "sqlite") {
    const { SqliteDb } = await import("kern/db/sqlite");
    const file = path.join(dir, `${name}.db`);
    const db = new SqliteDb({ dbFile: file });
    await db.migrate();
    const Database = driver("better-sqlite3", sqliteUrl);
    const raw = new Database(file);
    return {
      db,
      tables: () => raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%migration%'").all().map((row) => row.name),
      rows: async (table) => raw.prepare(`SELECT * FROM "${table}"`).all(),
      insert: async (table, rows) => {
        if (rows.length === 0) return;
        const columns = Object.keys(rows[0]);
        const statement = raw.prepare(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
        raw.transaction(() => {
          for (const row of rows) statement.run(...columns.map((column) => row[column]));
        })();
      },
      close: async () => {
        raw.close();
        await db.close();
      },
    };
  }
  const { PostgresDb } = await import("kern/db/postgres");
  const pg = driver("pg", postgresUrl);
  const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
  const schema = `bench_${name}`.replace(/[^a-z0-9_]/g, "_");
  const db = new PostgresDb({ pool, schema });
  await db.migrate();
  const quoted = pg.escapeIdentifier(schema);
  const tables = async () =>
    (await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT LIKE '%migration%'", [schema])).rows.map((row) => row.table_name);
  return {
    db,
    tables,
    rows: async (table) => (await pool.query(`SELECT * FROM ${quoted}.${pg.escapeIdentifier(table)}`)).rows,
    insert: async (table, rows) => {
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0]);
      for (let from = 0; from < rows.length; from += 500) {
        const batch = rows.slice(from, from + 500);
        const values = [];
        const tuples = batch.map((row, index) => `(${columns.map((column, position) => {
          values.push(row[column]);
          return `$${index * columns.length + position + 1}`;
        }).join(", ")})`);
        await pool.query(`INSERT INTO ${quoted}.${pg.escapeIdentifier(table)} (${columns.map((column) => pg.escapeIdentifier(column)).join(", ")}) VALUES ${tuples.join(", ")}`, values);
      }
    },
    // A table that grew run by run would have been analyzed by autovacuum long before; a bulk
    // load has no statistics until it is, so the planner would misjudge the first queries.
    analyze: async () => pool.query(`ANALYZE ${quoted}.${(await tables()).map((table) => pg.escapeIdentifier(table)).join(`, ${quoted}.`)}`),
    close: async () => {
      await db.close();
      await pool.end();
    },
  };
}

function userInputWorkflow(db) {
  return new Workflow({
    name: "CityQuestion",
    db,
    steps: [new Step({ name: "ask_city", executor: () => "ok", requiresUserInput: true, userInputMessage: "Which city?", userInputSchema: [{ name: "city", type: "string" }] })],
  });
}

/** Every row of every kern table (migrations aside), keyed by table. */
async function dump(store) {
  const result = {};
  for (const table of await store.tables()) result[table] = await store.rows(table);
  return result;
}

/**
 * The rows kern wrote for one real paused run, as a function that copies them with fresh ids
 * (every UUID replaced consistently) and the given time in the created_at/updated_at columns.
 */
function cloner(rowsByTable) {
  const text = JSON.stringify(rowsByTable);
  const ids = [...new Set(text.match(UUID))];
  return (time) => {
    let copy = text;
    for (const id of ids) copy = copy.split(id).join(randomUUID());
    const rows = JSON.parse(copy);
    for (const tableRows of Object.values(rows)) {
      for (const row of tableRows) {
        if ("created_at" in row) row.created_at = time;
        if ("updated_at" in row) row.updated_at = time;
        // The run's state carries the same times; kern refuses an update that changes createdAt.
        if (typeof row.state === "string") row.state = JSON.stringify({ ...JSON.parse(row.state), createdAt: time, updatedAt: time });
      }
    }
    return rows;
  };
}

/** Rows of `after` not in `before`, per table. */
function added(before, after) {
  const result = {};
  for (const [table, rows] of Object.entries(after)) {
    const seen = new Set((before[table] ?? []).map((row) => JSON.stringify(row)));
    result[table] = rows.filter((row) => !seen.has(JSON.stringify(row)));
  }
  return result;
}

/** Parents before children: runs and sessions first, so foreign keys hold. */
const tableOrder = (table) => (/session/.test(table) ? 0 : /runs$/.test(table) ? 1 : 2);

/** Runs `work(item)` over `items` with at most `limit` in flight. */
async function forEachLimited(items, limit, work) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(lanes);
}

async function medianOf(work) {
  for (let index = 0; index < 3; index += 1) await work();
  const samples = [];
  for (let index = 0; index < REPEATS; index += 1) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/**
 * Fills `store` with `size` copies of a real paused DualConfirmation run and size/100 copies of
 * a real paused CityQuestion run. The originals are made by kern in a scratch store; the copies
 * are written with plain SQL in large batches (setup only, not timed).
 */
async function fill(store, size) {
  const scratch = await openStore(`scratch_${size}`);
  await buildWorkflow(scratch.db).run(INPUT);
  const mainRows = await dump(scratch);
  await userInputWorkflow(scratch.db).run("Ask for the city");
  const otherRows = added(mainRows, await dump(scratch));
  await scratch.close();
  const copyMain = cloner(mainRows);
  const copyOther = cloner(otherRows);
  const base = Date.now() - 10 * 60 * 1000;
  const start = performance.now();
  let middle;
  let rareCount = 0;
  const pendingTable = Object.keys(mainRows).find((table) => /pending/.test(table));
  const tables = Object.keys(mainRows).sort((a, b) => tableOrder(a) - tableOrder(b));
  for (let from = 0; from < size; from += 5000) {
    const batch = Object.fromEntries(tables.map((table) => [table, []]));
    for (let index = from; index < Math.min(size, from + 5000); index += 1) {
      const copies = [copyMain(base + index)];
      if (index === Math.floor(size / 2)) middle = copies[0][pendingTable][0];
      if (index % 100 === 50) {
        copies.push(copyOther(base + index));
        rareCount += 1;
      }
      for (const copy of copies) for (const table of tables) batch[table].push(...copy[table]);
    }
    for (const table of tables) await store.insert(table, batch[table]);
  }
  await store.analyze?.();
  return { middle, setupMs: performance.now() - start, rareCount };
}

async function measureSize(size) {
  const store = await openStore(`scale_${size}`);
  const { db } = store;
  const { middle, setupMs, rareCount } = await fill(store, size);
  const workflow = buildWorkflow(db);
  const result = { backend, size, rareCount, setupMs };

  // Listing paused runs through the workflow.
  result.listFirstPageMs = await medianOf(() => workflow.listRuns({ status: "paused", limit: 100 }));
  let start = performance.now();
  let listed = 0;
  for (let offset = 0; ; offset += 1000) {
    const page = await workflow.listRuns({ status: "paused", limit: 1000, offset });
    listed += page.length;
    if (page.length < 1000) break;
  }
  result.listAllMs = performance.now() - start;
  check(listed === size, `listRuns paged through all ${size} paused runs (got ${listed})`);

  // The approval inbox.
  const firstPage = await db.listPendingRequirements({ limit: 50 });
  check(firstPage.length === 50, "the inbox's first page is full");
  const last = firstPage.at(-1);
  const deep = { createdAt: Number(middle.created_at), runId: middle.run_id, requirementId: middle.requirement_id, kind: middle.kind };
  result.inbox = {
    firstPageMs: await medianOf(() => db.listPendingRequirements({ limit: 50 })),
    kindCommonMs: await medianOf(() => db.listPendingRequirements({ limit: 50, requirementKind: "confirmation" })),
    kindRareMs: await medianOf(() => db.listPendingRequirements({ limit: 50, requirementKind: "userInput" })),
    // An inbox tab for a kind nobody is waiting on: no row matches, the worst case for the filter.
    kindNoneMs: await medianOf(() => db.listPendingRequirements({ limit: 50, requirementKind: "externalExecution" })),
    afterPage1Ms: await medianOf(() => db.listPendingRequirements({ limit: 50, after: { createdAt: last.createdAt, runId: last.runId, requirementId: last.requirementId, kind: last.kind } })),
    afterMiddleMs: await medianOf(() => db.listPendingRequirements({ limit: 50, after: deep })),
  };
  const rare = await db.listPendingRequirements({ limit: 50, requirementKind: "userInput" });
  check(rare.length === Math.min(50, rareCount) && rare.every((row) => row.requirementKind === "userInput"), "the kind filter returns only that kind");

  // Walk the whole inbox of the workflow (keyset pages of 1,000), then approve a sample of steps.
  start = performance.now();
  const pending = [];
  let after;
  for (;;) {
    const page = await db.listPendingRequirements({ ownerId: workflow.id, kind: "workflow", limit: 1000, after });
    pending.push(...page);
    if (page.length < 1000) break;
    const tail = page.at(-1);
    after = { createdAt: tail.createdAt, runId: tail.runId, requirementId: tail.requirementId, kind: tail.kind };
  }
  result.inboxWalkMs = performance.now() - start;
  check(pending.length === size, `the inbox walk found all ${size} requirements (got ${pending.length})`);

  let paused = 0;
  const step = Math.max(1, Math.floor(pending.length / CONTINUE_SAMPLE));
  const sample = pending.filter((_row, index) => index % step === 0).slice(0, CONTINUE_SAMPLE);
  start = performance.now();
  await forEachLimited(sample, CONCURRENCY, async (row) => {
    const run = await workflow.continueRun({ runId: row.runId, sessionId: row.sessionId, decisions: [{ requirementId: row.requirementId, decision: { type: "confirm" } }] });
    check(run.pauseKind === "executor", "each continued run pauses at its tool gate");
    paused += 1;
  });
  result.continueMs = performance.now() - start;
  result.continued = sample.length;
  check(paused === sample.length, `continued ${sample.length} runs`);
  result.continuePerRunUs = (result.continueMs * 1000) / sample.length;
  await store.close();
  return result;
}

for (const size of sizes) {
  console.log(JSON.stringify(await measureSize(size)));
}
