// The headline of each full run, kept in bench/history.json (the last ten), so that RESULTS.md
// can give the spread of kern against its floor over the last three runs, not one run's figure.
import fs from "node:fs";
import { STORAGES } from "./cycle-report.mjs";
import { fmt } from "./stats.mjs";

const KEEP = 10;
const SHOWN = 3;

/** The rows the spread is given for: kern and the floor of each storage, service lifetime. */
function headline(cycles) {
  const rows = {};
  for (const storage of STORAGES) {
    for (const id of [storage.lifetimes[0].kern, storage.lifetimes[0].floor, storage.lifetimes[1].kern, storage.lifetimes[1].floor]) {
      const row = cycles[id];
      if (row?.median === undefined) continue;
      const volume = storage.unit === "pages" ? row.writes?.pages?.median : row.writes?.bytes?.median;
      rows[id] = { label: row.label, median: row.median, mean: row.mean, p95: row.p95, p99: row.p99, cpu: row.cpuPerCycle, commits: row.writes?.commits?.median, volume, unit: storage.unit };
    }
  }
  return rows;
}

/** Appends this run to `file` and returns the last runs, oldest first. */
export function recordRun(file, meta, cycles) {
  let runs = [];
  try {
    runs = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // No history yet.
  }
  runs.push({ date: meta.date, commit: meta.commit, load: `${meta.loadBefore} → ${meta.loadAfter}`, rows: headline(cycles) });
  runs = runs.slice(-KEEP);
  fs.writeFileSync(file, `${JSON.stringify(runs, null, 2)}\n`);
  return runs;
}

const spread = (values) => (values.length < 2 ? fmt(values[0]) : `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`);

/** The spread over the last three runs: per system, and kern ÷ floor per storage and lifetime. */
export function historySection(runs) {
  const last = runs.slice(-SHOWN);
  if (last.length === 0) return "";
  const ids = Object.keys(last.at(-1).rows);
  const lines = [
    `| system | median ms | mean ms | p95 ms | p99 ms | CPU ms per cycle | commits | WAL pages or bytes per cycle (median) |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const id of ids) {
    const rows = last.map((run) => run.rows[id]).filter((row) => row !== undefined);
    const cell = (key) => spread(rows.map((row) => row[key]));
    lines.push(`| ${rows.at(-1).label} | ${cell("median")} | ${cell("mean")} | ${cell("p95")} | ${cell("p99")} | ${cell("cpu")} | ${cell("commits")} | ${cell("volume")} ${rows[0].unit} |`);
  }
  const ratios = [];
  for (const storage of STORAGES) {
    for (const lifetime of storage.lifetimes) {
      const pairs = last.map((run) => [run.rows[lifetime.kern], run.rows[lifetime.floor]]).filter(([kern, floor]) => kern && floor);
      if (pairs.length === 0) continue;
      const ratio = (key) => spread(pairs.map(([kern, floor]) => kern[key] / floor[key]));
      ratios.push(`- ${storage.name}, ${lifetime.name}: kern ÷ floor ${ratio("median")} (median), ${ratio("mean")} (mean), ${ratio("p99")} (p99), ${ratio("cpu")} (CPU); per run: ${pairs.map(([kern, floor]) => `${fmt(kern.median / floor.median)}×`).join(", ")}.`);
    }
  }
  const when = last.map((run) => `${run.date} (commit ${run.commit}, load ${run.load})`).join("; ");
  return `### Spread over the last ${last.length} full runs

Lowest–highest over: ${when}.

${lines.join("\n")}

${ratios.join("\n")}
`;
}
