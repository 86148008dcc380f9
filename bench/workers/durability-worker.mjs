// Runs `cycles` dual-HITL cycles of one SQLite target and exits; bench/parts/durability.mjs runs
// it under strace to count the fsync calls they make.
//   node bench/workers/durability-worker.mjs <target> <dir> <cycles>
import { TARGETS } from "../lib/targets.mjs";

const [targetName, dir, cyclesText] = process.argv.slice(2);
const target = await TARGETS[targetName].create({ dir });
for (let index = 0; index < Number(cyclesText); index += 1) await target.cycle();
await target.close();
console.log(JSON.stringify({ cycles: Number(cyclesText) }));
