// `npm run bench`: kern against @openai/agents, LangGraph.js, Mastra and the raw-driver floor
// (bench/FLOOR.md), on SQLite and PostgreSQL, on this machine, in one run. Writes
// bench/RESULTS.md and results.json and prints the report.
//   node bench/run.mjs [--quick] [--only=imports,construct,cycles,durability,scale,telemetry]
// (durability times kern and the floor at synchronous FULL against NORMAL; telemetry times the
// InMemoryDb cycle without @opentelemetry/api, with it and no SDK, and with an SDK recording.)
import { execFileSync } from "node:child_process";
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
import { historySection, recordRun } from "./lib/history.mjs";
import { startDurableCluster } from "./lib/postgres-cluster.mjs";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((arg) => arg.startsWith("--only="))?.slice(7).split(",");
const wants = (part) => only === undefined || only.includes(part);
// The telemetry part compares differences of a few per cent, so even its quick run warms up
// past most of V8's optimising and times enough cycles per process for a stable median.
// Sized for about 15 minutes on 2 cores: a warm-up of 1,000 cycles (or 6 s) per process instead
// of 3,000 (or 30 s), a time cap on the timed cycles of the slow peers, 1,000 continues per scale
// size instead of all of them, and 3 shorter telemetry rounds instead of 7.
const settings = quick
  ? {
      warmup: { cycles: 100, ms: 3_000 },
      cycles: 40,
      maxTimedMs: 6_000,
      show: { cycles: 20, ms: 1_000 },
      countCycles: 5,
      durabilityCycles: 40,
      importSamples: 3,
      sizes: [1_000, 10_000],
      queueRuns: 100,
      telemetry: { rounds: 5, warmup: { cycles: 1_000, ms: 10_000 }, cycles: 1_000 },
    }
  : {
      warmup: { cycles: 1_000, ms: 6_000 },
      cycles: 300,
      maxTimedMs: 12_000,
      show: { cycles: 100, ms: 2_000 },
      countCycles: 20,
      durabilityCycles: 300,
      importSamples: 10,
      sizes: [1_000, 10_000, 100_000],
      queueRuns: 400,
      telemetry: { rounds: 3, warmup: { cycles: 2_000, ms: 8_000 }, cycles: 2_000 },
    };
const started = Date.now();
const log = (message) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

// kern, the floor and the three peers on each storage: SQLite in both object lifetimes,
// PostgreSQL as a service keeps it (plus kern's PostgresDb built per phase on the app's pool).
const CYCLE_TARGETS = [
  "kern-sqlite",
  "floor-sqlite",
  "openai-agents",
  "langgraph",
  "mastra",
  "kern-sqlite-shared",
  "floor-sqlite-shared",
  "openai-agents-shared",
  "langgraph-shared",
  "mastra-shared",
  "kern-postgres-shared",
  "floor-postgres-shared",
  "openai-agents-postgres-shared",
  "langgraph-postgres-shared",
  "mastra-postgres-shared",
  "kern-postgres",
  "kern-memory",
];
const PEER_PACKAGES = ["@openai/agents", "@langchain/langgraph", "@langchain/langgraph-checkpoint-sqlite", "@langchain/langgraph-checkpoint-postgres", "@mastra/core", "@mastra/libsql", "@mastra/pg", "pg"];
const missing = PEER_PACKAGES.filter((name) => !fs.existsSync(path.join(benchDir, "node_modules", name, "package.json")));
if (missing.length > 0) {
  console.error(`bench: ${missing.join(", ")} missing from bench/node_modules (added to bench/package.json since it was installed); run \`npm --prefix bench ci\` and try again.`);
  process.exit(1);
}

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
  // Outside a git checkout (an exported tree), KERN_COMMIT may name the commit it came from.
  let commit = process.env.KERN_COMMIT ?? "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: rootDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // Not a git checkout: the commit stays as given, or unknown.
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
      "@langchain/langgraph-checkpoint-postgres",
      "@langchain/core",
      "@mastra/core",
      "@mastra/libsql",
      "@mastra/pg",
      "better-sqlite3",
      "pg",
      "zod",
    ]
      .map(peer)
      .concat(`better-sqlite3 ${packageVersion(path.join(rootDir, "node_modules", "better-sqlite3"))} and pg ${packageVersion(path.join(rootDir, "node_modules", "pg"))} (kern's, also the floors')`)
      .join(", "),
    engines: engineMismatches(),
  };
}

async function startPostgres(directory) {
  try {
    const cluster = await startDurableCluster(directory);
    log(`postgres: throwaway cluster at ${cluster.url} (${cluster.settings})`);
    return cluster;
  } catch (error) {
    log(`postgres: could not start a cluster (${error.message.split("\n")[0]}); PostgreSQL rows are skipped`);
    return null;
  }
}

const info = meta();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kern-bench-"));
const cluster = wants("cycles") || wants("scale") || wants("queue") ? await startPostgres(dir) : null;
info.postgres = cluster?.settings ?? "not started";
// Interrupted: stop the throwaway server and remove the files before exiting.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    (cluster?.stop() ?? Promise.resolve()).finally(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
const pgUrl = cluster?.url ?? null;
const results = { cycles: {}, durability: {}, construct: {}, imports: {}, scale: {}, telemetry: {}, queue: undefined };
try {
  if (wants("imports")) results.imports = runImports({ cwd: benchDir, samples: settings.importSamples, log });
  if (wants("construct")) results.construct = runConstruction({ cwd: benchDir, log });
  if (wants("cycles")) {
    const { warmup, cycles, maxTimedMs, show, countCycles } = settings;
    results.cycles = await runCycles({ targets: CYCLE_TARGETS, dir, pgUrl, warmup, cycles, maxTimedMs, show, countCycles, log });
  }
  if (wants("durability")) {
    const { warmup, durabilityCycles, maxTimedMs } = settings;
    results.durability = await runDurability({ dir, warmup, cycles: durabilityCycles, maxTimedMs, log });
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
  `warm-up of ${settings.warmup.cycles.toLocaleString("en-US")} cycles or ${settings.warmup.ms / 1000} s per process, whichever ends first, ` +
  `then ${settings.cycles} timed cycles per system over two passes, capped at ${settings.maxTimedMs / 1000} s of timed cycling (the "cycles" column gives timed / warm-up); ` +
  `the "load and show" variant after ${settings.show.cycles} more warm-up cycles (or ${settings.show.ms / 1000} s); ${settings.countCycles} counted cycles per system; ` +
  `${settings.durabilityCycles} in the durability table; ${settings.importSamples} cold-import samples per entry; ` +
  `scale sizes ${settings.sizes.map((size) => size.toLocaleString("en-US")).join(", ")}; ` +
  `queue: ${settings.queueRuns} cycles per setting; telemetry: ${settings.telemetry.rounds} rounds of one process per set-up, each ${settings.telemetry.warmup.cycles.toLocaleString("en-US")} warm-up cycles ` +
  `(or ${settings.telemetry.warmup.ms / 1000} s) then ${settings.telemetry.cycles.toLocaleString("en-US")} timed cycles` +
  `${quick ? " (--quick: a smoke run, not for comparison)" : ""}; total run time ${((Date.now() - started) / 60_000).toFixed(1)} min`;
// Only full runs of every part enter the history that the spread is computed from.
const full = !quick && only === undefined;
const history = full ? recordRun(path.join(benchDir, "history.json"), info, results.cycles) : [];
const report = renderReport({ meta: info, ...results, history: historySection(history), settings: settingsText, mappings: MAPPINGS });
fs.writeFileSync(path.join(benchDir, quick || only !== undefined ? "RESULTS.partial.md" : "RESULTS.md"), report);
fs.writeFileSync(path.join(benchDir, quick || only !== undefined ? "results.partial.json" : "results.json"), `${JSON.stringify({ meta: info, settings, ...results }, null, 2)}\n`);
console.log(report);
