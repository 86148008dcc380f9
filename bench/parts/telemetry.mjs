// What kern's OpenTelemetry spans cost: the kern-memory dual-HITL cycle (the cycle part's, on
// InMemoryDb) in three set-ups, each in fresh processes, in several rounds.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mean, median, p99 } from "../lib/stats.mjs";

const WORKER = fileURLToPath(new URL("../workers/telemetry-worker.mjs", import.meta.url));
const WITHOUT_API = fileURLToPath(new URL("../workers/without-otel-api.cjs", import.meta.url));
const BENCH_DIR = path.dirname(path.dirname(WORKER));

/** The variants, in the order the report lists them; the first is the baseline. */
const TELEMETRY_VARIANTS = [
  {
    id: "no-api",
    label: "no `@opentelemetry/api`",
    what: "the package cannot be resolved (stands for an app without it; resolution is made to fail by a preload)",
    nodeArgs: ["--require", WITHOUT_API],
  },
  {
    id: "api-no-sdk",
    label: "API installed, no SDK",
    what: "`@opentelemetry/api` installed, no SDK registered (what most users have)",
    nodeArgs: [],
  },
  {
    id: "sdk",
    label: "SDK registered",
    what: "`BasicTracerProvider` + `SimpleSpanProcessor` over an exporter that drops the spans",
    nodeArgs: [],
  },
];

/** A random order of `items` (Fisher–Yates), so no variant always runs first or last. */
function shuffled(items) {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

function runChild(variant, warmup, cycles) {
  const child = spawnSync(
    process.execPath,
    [...variant.nodeArgs, WORKER, variant.id, String(warmup.cycles), String(warmup.ms), String(cycles)],
    {
      cwd: BENCH_DIR,
      encoding: "utf8",
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = child.stdout?.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !line.startsWith("{")) {
    throw new Error(
      `${variant.id}: exit ${child.status}: ${(child.stderr ?? "").trim().split("\n").slice(-3).join(" ")}`,
    );
  }
  return JSON.parse(line);
}

/** Per variant: pooled median, mean and p99 (µs per cycle), CPU, and how far the rounds' medians spread. */
function summarize(variant, runs) {
  const samples = runs.flatMap((run) => run.samples.map((ms) => ms * 1000));
  const roundMedians = runs.map((run) => median(run.samples) * 1000);
  const roundCpu = runs.map((run) => run.cpuUsPerCycle);
  return {
    label: variant.label,
    what: variant.what,
    cycles: samples.length,
    warmed: Math.min(...runs.map((run) => run.warmed)),
    median: median(samples),
    mean: mean(samples),
    p99: p99(samples),
    cpu: median(roundCpu),
    roundMedians,
    roundCpu,
    spread: Math.max(...roundMedians) - Math.min(...roundMedians),
    cpuSpread: Math.max(...roundCpu) - Math.min(...roundCpu),
    spansPerCycle: median(runs.map((run) => run.spansPerCycle)),
  };
}

/** Variant minus baseline, against the larger run-to-run spread of the two. */
function compare(row, baseline) {
  const delta = (key) => ({
    us: row[key] - baseline[key],
    percent: ((row[key] - baseline[key]) / baseline[key]) * 100,
  });
  return {
    median: delta("median"),
    mean: delta("mean"),
    p99: delta("p99"),
    cpu: delta("cpu"),
    spread: Math.max(row.spread, baseline.spread),
    cpuSpread: Math.max(row.cpuSpread, baseline.cpuSpread),
  };
}

/** The version of `name` as kern resolves it (not every package exports its package.json). */
function packageVersion(name) {
  let directory = path.dirname(createRequire(fileURLToPath(import.meta.resolve("kern"))).resolve(name));
  while (directory !== path.dirname(directory)) {
    const file = path.join(directory, "package.json");
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
      if (manifest.name === name) return manifest.version;
    }
    directory = path.dirname(directory);
  }
  return "unknown";
}

/**
 * Returns `{ baseline, variants: { [id]: summary }, comparisons: { [id]: compare() }, orders, versions }`
 * or `{ error }`. Each round runs every variant once, in a random order, each in a fresh process
 * that warms up and then times `cycles` cycles: a variant's rounds differ only by process and
 * machine drift, which is what the spread of their medians measures.
 */
export function runTelemetry({ rounds, warmup, cycles, log }) {
  const runs = Object.fromEntries(TELEMETRY_VARIANTS.map((variant) => [variant.id, []]));
  const orders = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const order = shuffled(TELEMETRY_VARIANTS);
      orders.push(order.map((variant) => variant.id));
      for (const variant of order) {
        log(
          `telemetry: round ${round}/${rounds}, ${variant.id}: warm-up (${warmup.cycles} cycles or ${warmup.ms / 1000} s), then ${cycles} timed cycles`,
        );
        runs[variant.id].push(runChild(variant, warmup, cycles));
      }
    }
  } catch (error) {
    return { error: error.message };
  }
  const variants = Object.fromEntries(
    TELEMETRY_VARIANTS.map((variant) => [variant.id, summarize(variant, runs[variant.id])]),
  );
  const [baseline, ...others] = TELEMETRY_VARIANTS.map((variant) => variant.id);
  const comparisons = Object.fromEntries(others.map((id) => [id, compare(variants[id], variants[baseline])]));
  const versions = ["@opentelemetry/api", "@opentelemetry/sdk-trace-base"]
    .map((name) => `${name} ${packageVersion(name)}`)
    .join(", ");
  return { baseline, rounds, cycles, variants, comparisons, orders, versions };
}
