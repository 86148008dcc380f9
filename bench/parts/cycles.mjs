// Times the dual-HITL cycle on every target: one worker process per target and pass, timed
// straight after its warm-up (see runCycles).
import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TARGETS } from "../lib/targets.mjs";
import { mean, median, p95, p99 } from "../lib/stats.mjs";

const WORKER = fileURLToPath(new URL("../workers/cycle-worker.mjs", import.meta.url));

class Worker {
  constructor(target) {
    this.target = target;
    this.child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.pending = null;
    this.child.on("message", (message) => {
      const pending = this.pending;
      this.pending = null;
      if (message.type === "error") pending?.reject(new Error(`${target}: ${message.message}`));
      else pending?.resolve(message);
    });
    this.child.on("exit", (code) => {
      if (this.pending !== null) this.pending.reject(new Error(`${target}: worker exited with code ${code}`));
      this.pending = null;
    });
  }
  send(message) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(message);
    });
  }
  kill() {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * Returns `{ [target]: { label, median, mean, p95, p99, cpuMedian, cycles, warmed, bytes } | { label, error } }`;
 * `cpuMedian` is the process's CPU time per timed cycle, the median over the passes.
 * `stateBytes` for the floors is kern SqliteDb's stored state at pause 2, measured first.
 *
 * Each target is timed in its own process straight after its own warm-up, with nothing else
 * running: a process left idle while others run comes back with cold caches and code, which
 * costs a fast JavaScript cycle several times its steady-state time (this bench once timed
 * 10-cycle batches in interleaved rounds, and kern's InMemoryDb cycle read 2.2 ms instead of
 * 0.2). Two passes in opposite orders even out slow drift in the machine's load.
 */
export async function runCycles({ targets, dir, pgUrl, warmup, cycles, log }) {
  const results = {};
  const options = { dir, pgUrl, warmup, stateBytes: 0 };
  const ordered = [...targets].sort((a, b) => Number(a.startsWith("floor")) - Number(b.startsWith("floor")));
  const passes = [ordered, [...ordered].reverse()];
  for (const [pass, order] of passes.entries()) {
    const count = pass === 0 ? Math.ceil(cycles / 2) : Math.floor(cycles / 2);
    // Fresh files for each pass, so both passes start from the same store sizes.
    options.dir = path.join(dir, `pass-${pass + 1}`);
    fs.mkdirSync(options.dir, { recursive: true });
    for (const target of order) {
      const { label, needsPostgres } = TARGETS[target];
      if (results[target]?.error !== undefined) continue;
      if (needsPostgres && pgUrl === null) {
        results[target] = { label, error: "no PostgreSQL server could be started" };
        continue;
      }
      const worker = new Worker(target);
      try {
        log(`cycle: pass ${pass + 1}/2, ${target}: warm-up (${warmup.cycles} cycles or ${warmup.ms / 1000} s), then ${count} timed cycles`);
        const { warmed } = await worker.send({ type: "setup", target, options });
        results[target] ??= { label, warmed: [], samples: [], cpu: [] };
        if (pass === 0) {
          const { bytes } = await worker.send({ type: "bytes" });
          results[target].bytes = bytes;
          if (target === "kern-sqlite") options.stateBytes = bytes.total;
        }
        const { samples, cpuMsPerCycle } = await worker.send({ type: "run", count });
        results[target].warmed.push(warmed);
        results[target].samples.push(...samples);
        results[target].cpu.push(cpuMsPerCycle);
        await worker.send({ type: "close" });
      } catch (error) {
        results[target] = { label, error: error.message };
      } finally {
        worker.kill();
      }
    }
  }
  for (const result of Object.values(results)) {
    if (result.samples === undefined) continue;
    result.cycles = result.samples.length;
    result.median = median(result.samples);
    result.mean = mean(result.samples);
    result.p95 = p95(result.samples);
    result.p99 = p99(result.samples);
    result.cpuMedian = median(result.cpu);
    result.warmed = Math.min(...result.warmed);
    delete result.samples;
    delete result.cpu;
  }
  return results;
}
