// The tracing-overhead section of bench/RESULTS.md: the kern-memory cycle without
// `@opentelemetry/api`, with it but no SDK, and with an SDK recording every span.
import { fmt } from "./stats.mjs";

const signed = (value) => `${value >= 0 ? "+" : "−"}${fmt(Math.abs(value))}`;
const delta = ({ us, percent }) => `${signed(us)} µs (${signed(percent)} %)`;

/**
 * "within noise" only when the difference is smaller than the run-to-run spread it is set against;
 * the spread is then also what this run cannot resolve, said as a share of `base`.
 */
function judge(difference, spread, base) {
  const share = `${fmt((spread / base) * 100)} % of the no-API figure`;
  if (Math.abs(difference) < spread) {
    return `within noise: below the run-to-run spread of ${fmt(spread)} µs (${share}), the smallest cost this run can resolve`;
  }
  if (difference > 0) return `above noise: ${fmt(difference / spread)}× the run-to-run spread of ${fmt(spread)} µs`;
  return `lower by more than the run-to-run spread of ${fmt(spread)} µs: the variant does more work, not less, so this is drift between processes, not a saving`;
}

function readingLine(baseline, row, comparison) {
  return (
    `- ${row.label} against ${baseline.label}: median ${delta(comparison.median)}, ${judge(comparison.median.us, comparison.spread, baseline.median)}; ` +
    `CPU ${delta(comparison.cpu)}, ${judge(comparison.cpu.us, comparison.cpuSpread, baseline.cpu)}.`
  );
}

export function telemetrySection(telemetry) {
  if (telemetry === undefined || Object.keys(telemetry).length === 0) return "";
  if (telemetry.error !== undefined) return `## 6. Tracing overhead\n\nFailed: ${telemetry.error}\n`;
  const { variants, comparisons, baseline: baselineId, rounds, orders, versions } = telemetry;
  const baseline = variants[baselineId];
  const ids = Object.keys(variants);
  const lines = [
    "| variant | set-up | median µs | mean µs | p99 µs | CPU µs per cycle | median − no API | mean − no API | p99 − no API | CPU − no API | spread of round medians, µs | spans exported per cycle | cycles timed (all rounds) / warm-up per process |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const id of ids) {
    const row = variants[id];
    const comparison = comparisons[id];
    const differences =
      comparison === undefined
        ? ["", "", "", ""]
        : [comparison.median, comparison.mean, comparison.p99, comparison.cpu].map(delta);
    lines.push(
      `| ${row.label} | ${row.what} | ${fmt(row.median)} | ${fmt(row.mean)} | ${fmt(row.p99)} | ${fmt(row.cpu)} | ${differences.join(" | ")} | ` +
        `${fmt(row.spread)} | ${fmt(row.spansPerCycle)} | ${row.cycles} / ${row.warmed} |`,
    );
  }
  const roundMedians = ids
    .map((id) => `${id} ${variants[id].roundMedians.map((value) => fmt(value)).join(", ")}`)
    .join("; ");
  const readings = ids
    .filter((id) => id !== baselineId)
    .map((id) => readingLine(baseline, variants[id], comparisons[id]));
  return `## 6. Tracing overhead

kern records OpenTelemetry spans through \`@opentelemetry/api\` only, an optional peer (${versions}
here). The cycle of section 1 on InMemoryDb (\`kern-memory\`), in three set-ups. Every process
runs one set-up: it warms up, then times its cycles; ${rounds} rounds each run all three once, in
a random order (${orders.map((order) => order.join(" → ")).join("; ")}). Median, mean and p99
pool every timed cycle of a set-up; CPU is the process's CPU time per timed cycle, the median of
the rounds. The run-to-run spread is the largest minus the smallest of a set-up's round medians
(CPU: of its rounds' CPU per cycle); a difference is "within noise" only when it is smaller than
the larger spread of the two set-ups compared.

${lines.join("\n")}

Round medians, µs: ${roundMedians}.

${readings.join("\n")}
`;
}
