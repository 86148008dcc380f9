// What SQLite's `synchronous = FULL` (kern's default) costs against NORMAL: kern's cycle and the
// floor's, service lifetime, at both settings, timed and counted as the cycle part does, plus the
// fsync calls each cycle makes (counted with strace, in separate untimed runs).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCycles } from "./cycles.mjs";

const WORKER = fileURLToPath(new URL("../workers/durability-worker.mjs", import.meta.url));
export const DURABILITY_TARGETS = ["kern-sqlite-shared", "kern-sqlite-shared-normal", "floor-sqlite-shared", "floor-sqlite-shared-normal"];
// fsyncs per cycle = the difference between two runs of different lengths, so opening the file,
// migrating and closing it (the same in both) drop out.
const SHORT_RUN = 10;
const LONG_RUN = 110;

/** `{ fsync, fdatasync }` calls of one worker run under `strace -c`. */
function tracedRun(target, dir, cycles) {
  const summary = path.join(dir, `strace-${target}-${cycles}.txt`);
  const runDir = fs.mkdtempSync(path.join(dir, `${target}-`));
  const child = spawnSync("strace", ["-f", "-qq", "-c", "-e", "trace=fsync,fdatasync", "-o", summary, process.execPath, WORKER, target, runDir, String(cycles)], {
    cwd: path.dirname(WORKER),
    encoding: "utf8",
    timeout: 300_000,
  });
  if (child.error !== undefined) throw new Error(`strace could not run: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`exit ${child.status}: ${child.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const calls = { fsync: 0, fdatasync: 0 };
  for (const line of fs.readFileSync(summary, "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1);
    if (name === "fsync" || name === "fdatasync") calls[name] = Number(fields[3]);
  }
  return calls;
}

/** Per cycle: fsync + fdatasync calls over LONG_RUN - SHORT_RUN cycles. */
function syscallsPerCycle(target, dir) {
  const short = tracedRun(target, dir, SHORT_RUN);
  const long = tracedRun(target, dir, LONG_RUN);
  const cycles = LONG_RUN - SHORT_RUN;
  return {
    fsyncs: (long.fsync + long.fdatasync - short.fsync - short.fdatasync) / cycles,
    fdatasyncs: (long.fdatasync - short.fdatasync) / cycles,
  };
}

/**
 * Returns `{ cycles: { [target]: runCycles row }, syscalls: { [target]: { fsyncs, fdatasyncs } |
 * { error } }, filesystem }`. `cycles` timed cycles per target (split over two passes).
 */
export async function runDurability({ dir, warmup, cycles, maxTimedMs, log }) {
  const partDir = path.join(dir, "durability");
  fs.mkdirSync(partDir, { recursive: true });
  const timed = await runCycles({ targets: DURABILITY_TARGETS, dir: partDir, pgUrl: null, warmup, cycles, maxTimedMs, countCycles: 10, log });
  const syscalls = {};
  for (const target of DURABILITY_TARGETS) {
    log(`durability: ${target}: fsync counts under strace (${SHORT_RUN} and ${LONG_RUN} cycles)`);
    try {
      syscalls[target] = syscallsPerCycle(target, partDir);
    } catch (error) {
      syscalls[target] = { error: error.message };
    }
  }
  return { cycles: timed, syscalls, filesystem: describeFilesystem(partDir) };
}

/** The file system the databases were on: fsync costs what its device makes it cost. */
function describeFilesystem(directory) {
  const child = spawnSync("df", ["--output=fstype,source", directory], { encoding: "utf8" });
  const line = child.status === 0 ? child.stdout.trim().split("\n").at(-1)?.trim() : undefined;
  return line === undefined || line === "" ? "unknown" : line.replace(/\s+/, " on ");
}
