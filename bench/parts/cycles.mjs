// Times the dual-HITL cycle on every target: one worker process per target and pass, timed
// straight after its own warm-up, then (first pass only) counts what its cycles write.
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

/** median, mean, p95 and p99 of `values` (null when there are none). */
export function summary(values) {
  if (values.length === 0) return null;
  return { median: median(values), mean: mean(values), p95: p95(values), p99: p99(values), n: values.length };
}

/** Per commit position: its label and the median of its pages (SQLite) or bytes (PostgreSQL). */
function commitTrace(traces) {
  const first = traces[0];
  if (first === undefined) return null;
  const same = traces.filter((trace) => trace.length === first.length);
  return first.map((commit, index) => ({ label: commit.label, value: median(same.map((trace) => trace[index].value ?? 0)) }));
}

function finish(result) {
  const timing = (runs) => {
    const samples = runs.flatMap((run) => run.samples);
    if (samples.length === 0) return null;
    // CPU: the process's CPU time over all timed cycles of both passes, divided by their number.
    const cpuPerCycle = runs.reduce((sum, run) => sum + run.cpuMs, 0) / samples.length;
    return { ...summary(samples), cycles: samples.length, cpuPerCycle };
  };
  const counts = result.counts;
  return {
    label: result.label,
    store: result.store,
    shared: result.shared,
    bytes: result.bytes,
    warmed: Math.min(...result.warmed),
    ...timing(result.plain),
    show: timing(result.show),
    writes: counts === undefined ? null : {
      cycles: counts.cycles.length,
      commits: summary(counts.cycles.map((cycle) => cycle.commits)),
      pages: summary(counts.cycles.filter((cycle) => cycle.pages !== undefined).map((cycle) => cycle.pages)),
      bytes: summary(counts.cycles.map((cycle) => cycle.bytes)),
      fpiBytes: summary(counts.cycles.filter((cycle) => cycle.fpi !== undefined).map((cycle) => cycle.fpi)),
      roundTrips: summary(counts.cycles.filter((cycle) => cycle.roundTrips !== undefined).map((cycle) => cycle.roundTrips)),
      perCommit: commitTrace(counts.commits),
    },
  };
}

/** One target in one pass: warm-up, timed cycles, the "load and show" variant, the counts. */
async function measure(worker, target, pass, settings, result) {
  const { cycles, maxTimedMs, show, countCycles } = settings;
  const { warmed } = await worker.send({ type: "setup", target, options: settings.options });
  result.warmed.push(warmed);
  if (pass === 0) result.bytes = (await worker.send({ type: "bytes" })).bytes;
  const run = async (variant) => {
    const started = Date.now();
    const samples = [];
    let cpuMs = 0;
    // In batches, so a slow system stops at the time cap instead of running every cycle.
    while (samples.length < cycles && Date.now() - started < maxTimedMs) {
      const reply = await worker.send({ type: "run", count: Math.min(25, cycles - samples.length), show: variant });
      samples.push(...reply.samples);
      cpuMs += reply.cpuMs;
    }
    return { samples, cpuMs };
  };
  result.plain.push(await run(false));
  if (show !== null && TARGETS[target].shared) {
    await worker.send({ type: "warm", warmup: show, show: true });
    result.show.push(await run(true));
  }
  if (pass === 0 && countCycles > 0 && TARGETS[target].store !== "memory") result.counts = await worker.send({ type: "count", cycles: countCycles });
}

/**
 * Returns `{ [target]: finish() row | { label, error } }`. Each target is timed in its own process
 * straight after its own warm-up, with nothing else running: a process left idle while others run
 * comes back with cold caches and code. Two passes in opposite orders (half the timed cycles
 * each) even out slow drift in the machine's load. `show`: the warm-up of the "load and show"
 * variant, timed after the plain cycles in the same process (service lifetime only), or null.
 */
export async function runCycles({ targets, dir, pgUrl, warmup, cycles, maxTimedMs, show = null, countCycles = 0, log }) {
  const results = {};
  const errors = {};
  const passes = [targets, [...targets].reverse()];
  for (const [pass, order] of passes.entries()) {
    const count = pass === 0 ? Math.ceil(cycles / 2) : Math.floor(cycles / 2);
    // Fresh files for each pass, so both passes start from the same store sizes.
    const passDir = path.join(dir, `pass-${pass + 1}`);
    fs.mkdirSync(passDir, { recursive: true });
    for (const target of order) {
      const { label, store, shared = false, needsPostgres = false } = TARGETS[target];
      if (errors[target] !== undefined) continue;
      if (needsPostgres && pgUrl === null) {
        errors[target] = { label, error: "no PostgreSQL server could be started" };
        continue;
      }
      const worker = new Worker(target);
      try {
        log(`cycle: pass ${pass + 1}/2, ${target}: warm-up (${warmup.cycles} cycles or ${warmup.ms / 1000} s), then ${count} timed cycles (at most ${maxTimedMs / 2000} s)${pass === 0 && countCycles > 0 ? `, then ${countCycles} counted` : ""}`);
        results[target] ??= { label, store, shared, warmed: [], plain: [], show: [] };
        const settings = { warmup, cycles: count, maxTimedMs: maxTimedMs / 2, show, countCycles, options: { dir: passDir, pgUrl, warmup } };
        await measure(worker, target, pass, settings, results[target]);
        await worker.send({ type: "close" });
      } catch (error) {
        errors[target] = { label, error: error.message };
      } finally {
        worker.kill();
      }
    }
  }
  return Object.fromEntries(targets.map((target) => [target, errors[target] ?? finish(results[target])]));
}
