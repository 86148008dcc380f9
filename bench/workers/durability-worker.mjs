// Runs `cycles` dual-HITL cycles of one kern SQLite target and prints `{ commits }`: the write
// transactions kern's SqliteDb made (each insertRun, updateRun, writeRuns and renewLease call is
// one). bench/parts/durability.mjs runs it under strace to count the fsyncs as well.
//   node bench/workers/durability-worker.mjs <target> <dir> <cycles>
import { SqliteDb } from "kern/db/sqlite";
import { TARGETS } from "../lib/targets.mjs";

const [targetName, dir, cyclesText] = process.argv.slice(2);
const cycles = Number(cyclesText);
let commits = 0;
for (const method of ["insertRun", "updateRun", "writeRuns", "renewLease"]) {
  const original = SqliteDb.prototype[method];
  if (typeof original !== "function") continue;
  SqliteDb.prototype[method] = function countedWrite(...args) {
    commits += 1;
    return original.apply(this, args);
  };
}
const target = await TARGETS[targetName].create({ dir });
for (let index = 0; index < cycles; index += 1) await target.cycle();
await target.close();
console.log(JSON.stringify({ commits }));
