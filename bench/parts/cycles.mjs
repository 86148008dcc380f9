// Times the dual-HITL cycle on every target: one worker process per target, all driven in
// interleaved rounds (ROUND cycles each, in turn) so every target sees the same machine load.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TARGETS } from "../lib/targets.mjs";
import { median, p95 } from "../lib/stats.mjs";

const WORKER = fileURLToPath(new URL("../workers/cycle-worker.mjs", import.meta.url));
const ROUND = 10;

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
 * Returns `{ [target]: { label, median, p95, cpuMedian, cycles, bytes } | { label, error } }`;
 * `cpuMedian` is the median over batches of the process's CPU time per cycle.
 * `stateBytes` for the floors is kern SqliteDb's stored state at pause 2, measured first.
 */
export async function runCycles({ targets, dir, pgUrl, warmup, cycles, log }) {
  const results = {};
  const live = [];
  const options = { dir, pgUrl, warmup, stateBytes: 0 };
  const ordered = [...targets].sort((a, b) => Number(a.startsWith("floor")) - Number(b.startsWith("floor")));
  for (const target of ordered) {
    const { label, needsPostgres } = TARGETS[target];
    if (needsPostgres && pgUrl === null) {
      results[target] = { label, error: "no PostgreSQL server could be started" };
      continue;
    }
    const worker = new Worker(target);
    try {
      log(`cycle: setting up ${target} (warm-up: ${warmup.cycles} cycles or ${warmup.ms / 1000} s)`);
      const { warmed } = await worker.send({ type: "setup", target, options });
      const { bytes } = await worker.send({ type: "bytes" });
      if (target === "kern-sqlite") options.stateBytes = bytes.total;
      results[target] = { label, bytes, warmed, samples: [], cpu: [] };
      live.push(worker);
    } catch (error) {
      results[target] = { label, error: error.message };
      worker.kill();
    }
  }
  for (let done = 0; done < cycles; done += ROUND) {
    for (const worker of [...live]) {
      try {
        const { samples, cpuMsPerCycle } = await worker.send({ type: "run", count: Math.min(ROUND, cycles - done) });
        results[worker.target].samples.push(...samples);
        results[worker.target].cpu.push(cpuMsPerCycle);
      } catch (error) {
        results[worker.target] = { label: results[worker.target].label, error: error.message };
        live.splice(live.indexOf(worker), 1);
        worker.kill();
      }
    }
    if ((done / ROUND) % 5 === 0) log(`cycle: ${done + ROUND}/${cycles} cycles per target`);
  }
  for (const worker of live) {
    await worker.send({ type: "close" }).catch(() => undefined);
    worker.kill();
  }
  for (const result of Object.values(results)) {
    if (result.samples === undefined) continue;
    result.cycles = result.samples.length;
    result.median = median(result.samples);
    result.p95 = p95(result.samples);
    result.cpuMedian = median(result.cpu);
    delete result.samples;
    delete result.cpu;
  }
  return results;
}
