// Background runs on a PostgreSQL job queue: completed dual-HITL cycles per second with 1, 2, 4
// and 8 worker processes (kern/worker, 4 runs at a time each) on one PostgreSQL, and the time from
// an approval to the tool starting, against one process doing the same work in-process. Each
// setting gets a fresh schema; the driver keeps WINDOW runs open and approves each pause as soon
// as it sees it. A light-load pass (one run at a time) measures latency without a backlog.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, p95 } from "../lib/stats.mjs";

const WORKER = fileURLToPath(new URL("../workers/queue-worker.mjs", import.meta.url));
const DRIVER = fileURLToPath(new URL("../workers/queue-driver.mjs", import.meta.url));
const WINDOW = 32;
const LIGHT_RUNS = 30;

function waitForLine(child, pattern) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      if (pattern.test(buffer)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

function drive({ cwd, pgUrl, schema, logFile, mode, runs, window, tag }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, pgUrl, schema, logFile, mode, String(runs), String(window), tag], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line));
      else reject(new Error(`driver exit ${code}: ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

async function measure({ cwd, pgUrl, dir, workers, runs, log }) {
  const schema = `bench_queue_${randomBytes(4).toString("hex")}`;
  const logFile = path.join(dir, `${schema}.log`);
  fs.writeFileSync(logFile, "");
  const mode = workers === 0 ? "inprocess" : "queued";
  const children = [];
  try {
    // The schema and the queue's tables exist before the workers start (a light run creates them).
    await drive({ cwd, pgUrl, schema, logFile, mode: "inprocess", runs: 1, window: 1, tag: "setup" });
    for (let index = 0; index < workers; index += 1) {
      const child = spawn(process.execPath, [WORKER, pgUrl, schema, logFile, "4"], { cwd, stdio: ["ignore", "pipe", "inherit"] });
      children.push(child);
      await waitForLine(child, /ready/);
    }
    const loaded = await drive({ cwd, pgUrl, schema, logFile, mode, runs, window: WINDOW, tag: "load" });
    const idle = await drive({ cwd, pgUrl, schema, logFile, mode, runs: LIGHT_RUNS, window: 1, tag: "light" });
    log(`queue: ${workers === 0 ? "in-process" : `${workers} worker(s)`}: ${loaded.cyclesPerSecond.toFixed(1)} cycles/s`);
    return {
      workers,
      runs,
      cyclesPerSecond: loaded.cyclesPerSecond,
      loadedP50: median(loaded.latencyMs),
      loadedP95: p95(loaded.latencyMs),
      idleP50: median(idle.latencyMs),
      idleP95: p95(idle.latencyMs),
    };
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve()))));
  }
}

/** Returns { rows: [{ workers (0 = in-process), cyclesPerSecond, loadedP50, loadedP95, idleP50, idleP95 }], error }. */
export async function runQueue({ pgUrl, dir, cwd, runs, log }) {
  if (pgUrl === null) return { rows: [], error: "no PostgreSQL server could be started" };
  const rows = [];
  try {
    for (const workers of [0, 1, 2, 4, 8]) rows.push(await measure({ cwd, pgUrl, dir, workers, runs, log }));
    return { rows, error: null };
  } catch (error) {
    return { rows, error: error.message };
  }
}
