// `npm run bench`: kern against @openai/agents, LangGraph.js and Mastra, on this machine, in one
// run. Writes bench/RESULTS.md and prints it.
//   node bench/run.mjs [--quick] [--only=imports,construct,cycles,durability,scale,telemetry]
// (--only=cycles also runs the diagnostics of kern's SQLite cycle; durability times kern's
// SqliteDb at synchronous FULL against NORMAL; telemetry times the InMemoryDb cycle without
// @opentelemetry/api, with it and no SDK, and with an SDK recording.)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MAPPINGS } from "./lib/mappings.mjs";
import { renderReport } from "./lib/report.mjs";
import { runConstruction } from "./parts/construct.mjs";
import { runCycles } from "./parts/cycles.mjs";
import { runDurability } from "./parts/durability.mjs";
import { runImports } from "./parts/imports.mjs";
import { runQueue } from "./parts/queue.mjs";
import { runScale } from "./parts/scale.mjs";
import { runTelemetry } from "./parts/telemetry.mjs";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((arg) => arg.startsWith("--only="))?.slice(7).split(",");
const wants = (part) => only === undefined || only.includes(part);
// The telemetry part compares differences of a few per cent, so even its quick run warms up
// past most of V8's optimising and times enough cycles per process for a stable median.
const settings = quick
  ? {
      warmup: { cycles: 100, ms: 5_000 },
      cycles: 30,
      durabilityCycles: 60,
      importSamples: 3,
      sizes: [1_000, 10_000],
      queueRuns: 100,
      telemetry: { rounds: 5, warmup: { cycles: 1_000, ms: 10_000 }, cycles: 1_000 },
    }
  : {
      warmup: { cycles: 3_000, ms: 30_000 },
      cycles: 200,
      durabilityCycles: 1_000,
      importSamples: 10,
      sizes: [1_000, 10_000, 100_000],
      queueRuns: 400,
      telemetry: { rounds: 7, warmup: { cycles: 3_000, ms: 30_000 }, cycles: 3_000 },
    };
const started = Date.now();
const log = (message) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

// Every peer and the floor in two storage shapes, each set against kern's SqliteDb of the same
// shape: a new connection / store / Db per phase, and one held for all phases (`-shared`).
const CYCLE_TARGETS = [
  "kern-memory",
  "kern-sqlite",
  "kern-sqlite-shared",
  "kern-postgres",
  "kern-postgres-shared",
  "openai-agents",
  "openai-agents-shared",
  "langgraph",
  "langgraph-shared",
  "mastra",
  "mastra-shared",
  "floor-sqlite",
  "floor-sqlite-shared",
];

function packageVersion(directory) {
  return JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")).version;
}

/** Packages whose `engines.node` asks for a newer Node than this one (they ran here anyway). */
function engineMismatches() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const found = [];
  const walk = (directory) => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".bin") continue;
      const packageDir = path.join(directory, entry.name);
      if (entry.name.startsWith("@")) {
        walk(packageDir);
        continue;
      }
      let manifest;
      try {
        manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      const wanted = /^>=\s*(\d+)(?:\.(\d+))?/.exec(manifest.engines?.node ?? "");
      if (wanted !== null && (Number(wanted[1]) > major || (Number(wanted[1]) === major && Number(wanted[2] ?? 0) > minor))) {
        found.push(`${manifest.name} ${manifest.version} (node ${manifest.engines.node})`);
      }
    }
  };
  walk(path.join(benchDir, "node_modules"));
  return found.sort();
}

function meta() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const peer = (name) => `${name} ${packageVersion(path.join(benchDir, "node_modules", name))}`;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: rootDir, encoding: "utf8" }).trim();
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    date: new Date().toISOString(),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown CPU",
    nproc: execFileSync("nproc", { encoding: "utf8" }).trim(),
    node: process.version,
    loadBefore: os.loadavg().map((value) => value.toFixed(2)).join(" / "),
    kernVersion: packageVersion(rootDir),
    commit,
    versions: [
      "@openai/agents",
      "@langchain/langgraph",
      "@langchain/langgraph-checkpoint-sqlite",
      "@langchain/core",
      "@mastra/core",
      "@mastra/libsql",
      "better-sqlite3",
      "zod",
    ]
      .map(peer)
      .concat(`pg ${packageVersion(path.join(rootDir, "node_modules", "pg"))} (kern's)`)
      .join(", "),
    engines: engineMismatches(),
  };
}

async function startPostgres() {
  try {
    const { startCluster } = await import(path.join(rootDir, "scripts", "postgres-cluster.mjs"));
    const cluster = await startCluster();
    log(`postgres: throwaway cluster at ${cluster.url.replace(/\/\/[^@]*@/, "//")}`);
    return cluster;
  } catch (error) {
    log(`postgres: could not start a cluster (${error.message.split("\n")[0]}); PostgresDb rows are skipped`);
    return null;
  }
}

const info = meta();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kern-bench-"));
const cluster = wants("cycles") || wants("scale") || wants("queue") ? await startPostgres() : null;
// Interrupted: stop the throwaway server and remove the files before exiting.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    fs.rmSync(dir, { recursive: true, force: true });
    (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
const pgUrl = cluster?.url ?? null;
const results = { cycles: {}, diagnostics: {}, durability: {}, construct: {}, imports: {}, scale: {}, telemetry: {}, queue: undefined };
try {
  if (wants("imports")) results.imports = runImports({ cwd: benchDir, samples: settings.importSamples, log });
  if (wants("construct")) results.construct = runConstruction({ cwd: benchDir, log });
  if (wants("cycles")) {
    results.cycles = await runCycles({ targets: CYCLE_TARGETS, dir, pgUrl, warmup: settings.warmup, cycles: settings.cycles, log });
  }
  if (wants("cycles")) {
    log("diagnostics: kern store calls, WAL pages and CPU per cycle");
    const child = spawnSync(process.execPath, [path.join(benchDir, "workers", "diagnose-worker.mjs"), dir], { cwd: benchDir, encoding: "utf8", timeout: 300_000 });
    const line = child.stdout.trim().split("\n").at(-1) ?? "";
    results.diagnostics = child.status === 0 && line.startsWith("{") ? JSON.parse(line) : { error: `exit ${child.status}: ${child.stderr.trim().split("\n").slice(-3).join(" ")}` };
  }
  if (wants("durability")) {
    results.durability = await runDurability({ dir, warmup: settings.warmup, cycles: settings.durabilityCycles, log });
  }
  if (wants("scale")) {
    results.scale.SqliteDb = await runScale({ backend: "sqlite", dir, pgUrl, sizes: settings.sizes, cwd: benchDir, log });
    results.scale.PostgresDb = pgUrl === null
      ? { rows: [], error: "no PostgreSQL server could be started" }
      : await runScale({ backend: "postgres", dir, pgUrl, sizes: settings.sizes, cwd: benchDir, log });
  }
  if (wants("telemetry")) results.telemetry = runTelemetry({ ...settings.telemetry, log });
  if (wants("queue")) results.queue = await runQueue({ pgUrl, dir, cwd: benchDir, runs: settings.queueRuns, log });
} finally {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

info.loadAfter = os.loadavg().map((value) => value.toFixed(2)).join(" / ");
const settingsText =
  `warm-up of ${settings.warmup.cycles.toLocaleString("en-US")} cycles or ${settings.warmup.ms / 1000} s, whichever ends first, ` +
  `then ${settings.cycles} timed cycles per system (the "cycles" column gives timed / warm-up; ${settings.durabilityCycles} in the durability table); ` +
  `${settings.importSamples} cold-import samples per entry; scale sizes ${settings.sizes.map((size) => size.toLocaleString("en-US")).join(", ")}; ` +
  `queue: ${settings.queueRuns} cycles per setting; telemetry: ${settings.telemetry.rounds} rounds of one process per set-up, each ${settings.telemetry.warmup.cycles.toLocaleString("en-US")} warm-up cycles ` +
  `(or ${settings.telemetry.warmup.ms / 1000} s) then ${settings.telemetry.cycles.toLocaleString("en-US")} timed cycles` +
  `${quick ? " (--quick: a smoke run, not for comparison)" : ""}; total run time ${((Date.now() - started) / 60_000).toFixed(1)} min`;
const report = renderReport({ meta: info, ...results, settings: settingsText, mappings: MAPPINGS });
fs.writeFileSync(path.join(benchDir, quick || only !== undefined ? "RESULTS.partial.md" : "RESULTS.md"), report);
fs.writeFileSync(path.join(benchDir, quick || only !== undefined ? "results.partial.json" : "results.json"), `${JSON.stringify({ meta: info, settings, ...results }, null, 2)}\n`);
console.log(report);
