// Where kern's SQLite cycle spends its work: store calls per cycle, WAL pages written per cycle
// (kern and the raw floor, on fresh files), CPU per cycle, and the cost of opening a SqliteDb.
//   node bench/workers/diagnose-worker.mjs <dir>      prints one JSON line
import fs from "node:fs";
import path from "node:path";
import { SqliteDb } from "kern/db/sqlite";
import { floorCycle } from "../frameworks/floor.mjs";
import { kernCycle } from "../frameworks/kern.mjs";
import { TARGETS } from "../lib/targets.mjs";

const dir = process.argv[2];
const walSize = (file) => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
const FRAME = 4096 + 24;

/** Counts calls per method on a Db object. */
function counted(db, counts) {
  for (const method of ["getRun", "insertRun", "updateRun", "writeRuns", "listRuns", "listPendingRequirements"]) {
    const original = db[method].bind(db);
    db[method] = (...args) => {
      counts[method] = (counts[method] ?? 0) + 1;
      return original(...args);
    };
  }
  return db;
}

async function kernCalls() {
  const counts = {};
  const db = counted(new SqliteDb({ dbFile: path.join(dir, "diagnose-calls.db") }), counts);
  const cycle = kernCycle({ openDb: async () => db, closeDb: async () => undefined });
  const cycles = 20;
  for (let index = 0; index < cycles; index += 1) await cycle();
  await db.close();
  return Object.fromEntries(Object.entries(counts).map(([method, count]) => [method, count / cycles]));
}

/** WAL bytes appended over 5 cycles on a fresh file, before any automatic checkpoint. */
async function walPages(file, cycle) {
  await cycle();
  const before = walSize(file);
  for (let index = 0; index < 5; index += 1) await cycle();
  return (walSize(file) - before) / FRAME / 5;
}

async function cpuPerCycle(targetName) {
  const target = await TARGETS[targetName].create({ dir });
  // Past V8's warm-up, as the timed cycles are.
  for (let index = 0; index < 2000; index += 1) await target.cycle();
  const before = process.cpuUsage();
  for (let index = 0; index < 200; index += 1) await target.cycle();
  const cpu = process.cpuUsage(before);
  await target.close();
  return (cpu.user + cpu.system) / 1000 / 200;
}

async function openClose() {
  const file = path.join(dir, "diagnose-open.db");
  const keeper = new SqliteDb({ dbFile: file });
  await keeper.migrate();
  const before = process.cpuUsage();
  for (let index = 0; index < 200; index += 1) {
    const db = new SqliteDb({ dbFile: file });
    await db.getRun("workflow", "none");
    await db.close();
  }
  const cpu = process.cpuUsage(before);
  await keeper.close();
  return (cpu.user + cpu.system) / 1000 / 200;
}

const kernFile = path.join(dir, "diagnose-wal-kern.db");
const kernDb = new SqliteDb({ dbFile: kernFile });
const kernWal = await walPages(kernFile, kernCycle({ openDb: async () => kernDb, closeDb: async () => undefined }));
await kernDb.close();
const floorFile = path.join(dir, "diagnose-wal-floor.db");
const floor = floorCycle({ file: floorFile, fresh: false, stateBytes: 2048 });
const floorWal = await walPages(floorFile, floor.cycle);
await floor.close();

console.log(
  JSON.stringify({
    kernCalls: await kernCalls(),
    walPages: { kern: kernWal, floor: floorWal },
    cpu: {
      "kern-memory": await cpuPerCycle("kern-memory"),
      "kern-sqlite-shared": await cpuPerCycle("kern-sqlite-shared"),
      "kern-sqlite": await cpuPerCycle("kern-sqlite"),
    },
    openCloseMs: await openClose(),
  }),
);
