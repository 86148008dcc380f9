// The durability section of bench/RESULTS.md: kern's SqliteDb at synchronous FULL (its default)
// against NORMAL, per storage shape.
import { fmt } from "./stats.mjs";

const SHAPES = [
  { name: "one Db object", full: "kern-sqlite-shared", normal: "kern-sqlite-shared-normal" },
  { name: "new Db per phase", full: "kern-sqlite", normal: "kern-sqlite-normal" },
];

function row(shape, synchronous, cycle, syscalls) {
  const counts = syscalls === undefined || syscalls.error !== undefined
    ? [`n/a${syscalls?.error === undefined ? "" : ` (${syscalls.error.slice(0, 80)})`}`, "n/a"]
    : [fmt(syscalls.commits), fmt(syscalls.fsyncs)];
  if (cycle === undefined || cycle.error !== undefined) {
    return `| ${shape} | ${synchronous} | failed: ${(cycle?.error ?? "not run").split("\n")[0].slice(0, 160)} | | | | | ${counts.join(" | ")} | |`;
  }
  const timings = [cycle.median, cycle.mean, cycle.p95, cycle.p99, cycle.cpuMedian].map((value) => fmt(value));
  return `| ${shape} | ${synchronous} | ${timings.join(" | ")} | ${counts.join(" | ")} | ${cycle.cycles} / ${cycle.warmed} |`;
}

function costLine(shape, full, normal) {
  if (full?.median === undefined || normal?.median === undefined) return `- ${shape}: n/a`;
  const difference = (key) => `${full[key] >= normal[key] ? "+" : "−"}${fmt(Math.abs(full[key] - normal[key]))}`;
  const per = (key) => `${fmt(full[key])} against ${fmt(normal[key])} ms (×${fmt(full[key] / normal[key])}, ${difference(key)} ms)`;
  return `- ${shape}: median ${per("median")}; mean ${per("mean")}; p99 ${per("p99")}.`;
}

export function durabilitySection(durability) {
  if (durability === undefined || durability.cycles === undefined) return "";
  const { cycles, syscalls, filesystem } = durability;
  const lines = [
    "| storage object | synchronous | median ms | mean ms | p95 ms | p99 ms | CPU ms per cycle | commits per cycle | fsync calls per cycle | cycles (timed / warm-up) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const shape of SHAPES) {
    lines.push(row(shape.name, "FULL (default)", cycles[shape.full], syscalls[shape.full]));
    lines.push(row(shape.name, 'NORMAL (`synchronous: "normal"`)', cycles[shape.normal], syscalls[shape.normal]));
  }
  return `### SQLite durability: \`synchronous\` FULL (kern's default) against NORMAL

kern's SqliteDb syncs its write-ahead log to disk at every commit (\`synchronous = FULL\`), so a
stored run survives a power loss or an OS crash. \`new SqliteDb({ dbFile, synchronous: "normal" })\`
syncs only at checkpoints: cheaper, but a power loss can undo the last commits, among them the
claim stored just before an approved tool runs, so the tool could run again after the restart.
The same cycle as above, timed the same way (own process, own warm-up, two passes), on files on
${filesystem}: an fsync costs what this device makes it cost. Commits and fsync calls (fsync +
fdatasync) per cycle come from separate untimed runs under \`strace -c\`: the difference between a
10-cycle and a 110-cycle run, so opening and migrating the file drop out.

${lines.join("\n")}

What FULL costs per cycle:

${SHAPES.map((shape) => costLine(shape.name, cycles[shape.full], cycles[shape.normal])).join("\n")}
${directoryNote(syscalls)}`;
}

/** At FULL a new connection's first WAL sync also syncs the directory: one more fsync per phase. */
function directoryNote(syscalls) {
  const shared = syscalls["kern-sqlite-shared"];
  const perPhase = syscalls["kern-sqlite"];
  if (shared?.fsyncs === undefined || perPhase?.fsyncs === undefined) return "";
  return (
    `- A new SqliteDb per phase makes ${fmt(perPhase.fsyncs - shared.fsyncs)} more fsync calls per cycle at FULL than one ` +
    "Db object: SQLite also syncs the directory the first time each new connection syncs the WAL file " +
    "(so that the file's entry survives too).\n"
  );
}
