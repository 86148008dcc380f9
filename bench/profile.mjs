// CPU profile of the steady-state dual-HITL cycle on one target (no start-up, no warm-up):
//   node bench/profile.mjs [target=kern-sqlite] [cycles=1000]
// Writes bench/profiles/<target>.cpuprofile (open it in Chrome DevTools) and prints the
// functions with the most self and inclusive time. Targets: see bench/lib/targets.mjs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";
import { TARGETS } from "./lib/targets.mjs";

const [targetName = "kern-sqlite", cyclesArg = "1000"] = process.argv.slice(2);
const cycles = Number(cyclesArg);
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kern-profile-"));
let cluster = null;
if (TARGETS[targetName]?.needsPostgres) {
  const { startDurableCluster } = await import("./lib/postgres-cluster.mjs");
  cluster = await startDurableCluster(dir);
}
const target = await TARGETS[targetName].create({ dir, pgUrl: cluster?.url ?? null });
for (let index = 0; index < 2000; index += 1) await target.cycle(); // past V8's warm-up

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let index = 0; index < cycles; index += 1) await target.cycle();
const wallMs = (performance.now() - started) / cycles;
const cpu = process.cpuUsage(cpuBefore);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
await target.close();
await cluster?.stop();
fs.rmSync(dir, { recursive: true, force: true });

const outDir = path.join(benchDir, "profiles");
fs.mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `${targetName}.cpuprofile`);
fs.writeFileSync(file, JSON.stringify(profile));
console.log(`${targetName}: ${wallMs.toFixed(3)} ms per cycle (wall), ${((cpu.user + cpu.system) / 1000 / cycles).toFixed(3)} ms CPU, ${cycles} cycles`);
console.log(`profile: ${path.relative(process.cwd(), file)}`);
const { summarize } = await import("./lib/profile-summary.mjs");
summarize(profile, 30);
