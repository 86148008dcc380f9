// The durability section of bench/RESULTS.md: kern's SqliteDb and the raw floor at synchronous
// FULL (kern's default) against NORMAL, service lifetime.
import { fmt } from "./stats.mjs";

const SHAPES = [
  { name: "kern, one Db + Workflow", full: "kern-sqlite-shared", normal: "kern-sqlite-shared-normal" },
  { name: "raw floor, one connection", full: "floor-sqlite-shared", normal: "floor-sqlite-shared-normal" },
];

function row(shape, synchronous, cycle, syscalls) {
  const counts = syscalls === undefined || syscalls.error !== undefined
    ? [`n/a${syscalls?.error === undefined ? "" : ` (${syscalls.error.slice(0, 80)})`}`, "n/a"]
    : [fmt(cycle?.writes?.commits?.median), fmt(syscalls.fsyncs)];
  if (cycle === undefined || cycle.error !== undefined) {
    return `| ${shape} | ${synchronous} | failed: ${(cycle?.error ?? "not run").split("\n")[0].slice(0, 160)} | | | | | ${counts.join(" | ")} | |`;
  }
  const timings = [cycle.median, cycle.mean, cycle.p95, cycle.p99, cycle.cpuPerCycle].map((value) => fmt(value));
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
    "| system | synchronous | median ms | mean ms | p95 ms | p99 ms | CPU ms per cycle | commits per cycle | fsync calls per cycle | cycles (timed / warm-up) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const shape of SHAPES) {
    lines.push(row(shape.name, "FULL (default)", cycles[shape.full], syscalls[shape.full]));
    lines.push(row(shape.name, 'NORMAL (`synchronous: "normal"`)', cycles[shape.normal], syscalls[shape.normal]));
  }
  return `### SQLite durability: \`synchronous\` FULL (kern's default) against NORMAL

kern's SqliteDb syncs its write-ahead log to disk at every commit (\`synchronous = FULL\`), so a
stored run survives a power loss or an OS crash; the cycle tables above run every SQLite system
that way except Mastra, which sets NORMAL on its own connections. At NORMAL the log is synced only
at checkpoints: cheaper, but a power loss can undo the last commits, among them the claim stored
just before an approved tool runs. kern and the floor, service lifetime, at both settings, timed
the same way, on files on ${filesystem}: an fsync costs what this device makes it cost. Commits
come from the WAL (as above); fsync calls (fsync + fdatasync) per cycle from separate untimed runs
under \`strace -c\`: the difference between a 10-cycle and a 110-cycle run, so opening the file
drops out.

${lines.join("\n")}

What FULL costs per cycle:

${SHAPES.map((shape) => costLine(shape.name, cycles[shape.full], cycles[shape.normal])).join("\n")}
`;
}
