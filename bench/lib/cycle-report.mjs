// The dual-HITL cycle sections of bench/RESULTS.md: one table per storage (SQLite, PostgreSQL)
// with times, CPU and what each cycle writes; the "load and show" variant; kern against its
// floor, commit by commit; and the cycle targets of issue 17.
import { fmt } from "./stats.mjs";

const PEERS = ["openai-agents", "langgraph", "mastra"];

/** The rows of each storage: per lifetime, kern first, then the floor and the peers. */
export const STORAGES = [
  {
    name: "SQLite",
    unit: "pages",
    lifetimes: [
      { name: "new per phase", kern: "kern-sqlite", floor: "floor-sqlite", peers: PEERS },
      { name: "one for all phases (service)", kern: "kern-sqlite-shared", floor: "floor-sqlite-shared", peers: PEERS.map((id) => `${id}-shared`) },
    ],
  },
  {
    name: "PostgreSQL",
    unit: "bytes",
    lifetimes: [
      { name: "one for all phases (service)", kern: "kern-postgres-shared", floor: "floor-postgres-shared", peers: PEERS.map((id) => `${id}-postgres-shared`) },
      { name: "new Db per phase (app's pool)", kern: "kern-postgres", floor: "floor-postgres-shared", peers: [] },
    ],
  },
];

const measured = (row) => row?.median !== undefined;
const ms = (value) => (value === undefined || value === null ? "n/a" : fmt(value));
const times = (a, b) => (a && b ? `${fmt(a / b)}×` : "n/a");
const verdict = (ok) => (ok ? "**met**" : "**missed**");

/** "median / mean / p99" of a count summary, or one number when they agree. */
function countCell(stat) {
  if (stat === null || stat === undefined) return "n/a";
  const values = [stat.median, stat.mean, stat.p99].map((value) => fmt(value));
  return new Set(values).size === 1 ? values[0] : values.join(" / ");
}

function rowLine(id, row, kern, floor, unit) {
  if (row === undefined) return null;
  if (row.error !== undefined) return `| ${row.label} | failed: ${row.error.split("\n")[0].slice(0, 160)} ||||||||||${unit === "pages" ? "" : "|"}`;
  const writes = row.writes;
  const volume = unit === "pages" ? writes?.pages : writes?.bytes;
  const trips = unit === "pages" ? "" : ` | ${countCell(writes?.roundTrips)}`;
  const isKern = id.startsWith("kern");
  return (
    `| ${row.label} | ${ms(row.median)} | ${ms(row.mean)} | ${ms(row.p95)} | ${ms(row.p99)} | ${ms(row.cpuPerCycle)} | ` +
    `${countCell(writes?.commits)}${trips} | ${countCell(volume)} | ${row.bytes?.total ?? "n/a"} | ${row.cycles} / ${row.warmed} | ` +
    `${times(row.median, floor?.median)} | ${isKern || id.startsWith("floor") ? "" : times(row.median, kern?.median)} |`
  );
}

function storageSection(cycles, storage) {
  const pages = storage.unit === "pages";
  const unit = pages ? "WAL pages (4 KiB + 24 B) per cycle" : "round trips per cycle | WAL bytes per cycle";
  const lines = [
    `| system | median ms | mean ms | p95 ms | p99 ms | CPU ms per cycle | commits per cycle | ${unit}, median / mean / p99 | stored state at pause 2, bytes | cycles (timed / warm-up) | ÷ floor (median) | peer ÷ kern (median) |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${pages ? "" : "---:|"}`,
  ];
  const seen = new Set();
  for (const lifetime of storage.lifetimes) {
    lines.push(`| *${lifetime.name}* |||||||||||${pages ? "" : "|"}`);
    for (const id of [lifetime.kern, lifetime.floor, ...lifetime.peers]) {
      if (seen.has(id) && id.startsWith("floor")) continue;
      seen.add(id);
      const line = rowLine(id, cycles[id], cycles[lifetime.kern], cycles[lifetime.floor], storage.unit);
      if (line !== null) lines.push(line);
    }
  }
  return `### ${storage.name}\n\n${lines.join("\n")}`;
}

/** The lifetime a long-running service has: objects and storage built once per process. */
const serviceOf = (storage) => storage.lifetimes.find((lifetime) => lifetime.name.includes("service"));

function showSection(cycles) {
  const lines = [
    "| system | plain median ms | shown first: median ms | mean ms | p95 ms | p99 ms | CPU ms per cycle | added by loading and showing, median ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const storage of STORAGES) {
    const lifetime = serviceOf(storage);
    for (const id of [lifetime.kern, lifetime.floor, ...lifetime.peers]) {
      const row = cycles[id];
      if (!measured(row) || row.show === null || row.show === undefined) continue;
      const show = row.show;
      lines.push(`| ${row.label} | ${ms(row.median)} | ${ms(show.median)} | ${ms(show.mean)} | ${ms(show.p95)} | ${ms(show.p99)} | ${ms(show.cpuPerCycle)} | ${fmt(show.median - row.median)} |`);
    }
  }
  return lines.length > 2 ? lines.join("\n") : "";
}

/** kern's commits against the floor's, one line per commit, with their pages or bytes. */
function commitsSection(cycles) {
  const parts = [];
  for (const storage of STORAGES) {
    const { kern, floor } = serviceOf(storage);
    const kernCommits = cycles[kern]?.writes?.perCommit;
    const floorCommits = cycles[floor]?.writes?.perCommit;
    if (!kernCommits || !floorCommits) continue;
    const unit = storage.unit === "pages" ? "WAL pages" : "WAL bytes";
    const lines = [`| # | kern (${cycles[kern].label}): store call | ${unit} | floor: write | ${unit} |`, "|---:|---|---:|---|---:|"];
    for (let index = 0; index < Math.max(kernCommits.length, floorCommits.length); index += 1) {
      const k = kernCommits[index];
      const f = floorCommits[index];
      lines.push(`| ${index + 1} | ${k ? `\`${k.label}\`` : ""} | ${k ? fmt(k.value) : ""} | ${f?.label ?? ""} | ${f ? fmt(f.value) : ""} |`);
    }
    const sum = (list) => list.reduce((total, commit) => total + commit.value, 0);
    lines.push(`| | **${kernCommits.length} commits** | **${fmt(sum(kernCommits))}** | **${floorCommits.length} commits** | **${fmt(sum(floorCommits))}** |`);
    parts.push(`${storage.name}, service lifetime (median of the counted cycles, per commit):\n\n${lines.join("\n")}`);
  }
  return parts.join("\n\n");
}

/** Issue 17's cycle targets, per storage, in the service lifetime and the per-phase one. */
export function cycleTargetLines(cycles) {
  const lines = [];
  for (const storage of STORAGES) {
    for (const lifetime of storage.lifetimes) {
      const kern = cycles[lifetime.kern];
      const floor = cycles[lifetime.floor];
      if (!measured(kern) || !measured(floor)) continue;
      const ratio = kern.median / floor.median;
      const commits = kern.writes?.commits?.median;
      const floorCommits = floor.writes?.commits?.median;
      lines.push(
        `- ${storage.name}, ${lifetime.name}: kern ${fmt(kern.median)} ms against the floor's ${fmt(floor.median)} ms (median), ` +
          `**${fmt(ratio)}× the floor** (mean ${fmt(kern.mean / floor.mean)}×, p99 ${fmt(kern.p99 / floor.p99)}×) — within 2×: ${verdict(ratio <= 2)}; ` +
          `commits ${fmt(commits)} against ${fmt(floorCommits)} — one per durable step: ${verdict(commits === floorCommits)}; ` +
          `kern's p99 is ${fmt(kern.p99 / kern.median)}× its median (mean ${fmt(kern.mean)} ms) — within 3×: ${verdict(kern.p99 <= 3 * kern.median)}`,
      );
    }
  }
  return lines;
}

export function cycleSections(cycles) {
  const memory = cycles["kern-memory"];
  const memoryLine = measured(memory)
    ? `kern on InMemoryDb (nothing durable; no ratio against a durable store is drawn from it): median ${fmt(memory.median)} ms, mean ${fmt(memory.mean)} ms, p99 ${fmt(memory.p99)} ms, CPU ${fmt(memory.cpuPerCycle)} ms per cycle — what kern's own code costs without storage.`
    : "";
  return `${STORAGES.map((storage) => storageSection(cycles, storage)).join("\n\n")}

${memoryLine}

### The approver loads and looks first

The same service-lifetime cycles, but before each approval the paused run is loaded from the
store by id and its pending gate turned into text, as an approval page does (kern:
\`workflow.getRunOutput()\`; OpenAI Agents JS: the row and \`RunState.fromString()\`; LangGraph:
\`graph.getState()\`; Mastra: \`workflow.getWorkflowRunById()\`; the floor: kern's run-and-pending
read and a JSON parse). Timed in the same process right after the plain cycles, after its own
short warm-up.

${showSection(cycles)}

### kern's commits against the floor's

${commitsSection(cycles)}
`;
}
