#!/usr/bin/env node
// Runs the whole suite (scripts/run-tests.mjs) N times, several runs at once so that the machine
// is loaded the way a busy CI host is, and summarises each run: passed or not, how many tests
// ran, passed and failed, and the name of every failed test. A test that fails in one run and
// passes in another is flaky.
//
//   node scripts/loaded-runs.mjs [runs=4] [--parallel 2] [-- <run-tests arguments…>]
//
// Each run's full output and JSON summary stay in a directory under the temporary directory
// (printed at the start and the end). Exits 1 when any run failed.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const { runs, parallel, passThrough } = parseArguments(process.argv.slice(2));
const directory = mkdtempSync(join(tmpdir(), "kern-loaded-runs-"));
console.log(`loaded-runs: ${runs} full runs, ${parallel} at a time, on Node ${process.version}; logs in ${directory}`);

const results = [];
let next = 1;
await Promise.all(
  Array.from({ length: Math.min(parallel, runs) }, async () => {
    while (next <= runs) {
      const number = next;
      next += 1;
      results.push(await runOnce(number));
    }
  }),
);
results.sort((a, b) => a.number - b.number);

console.log("");
console.log("loaded-runs: summary");
for (const result of results) console.log(describe(result));
const flaky = flakyTests(results);
if (flaky.length > 0) {
  console.log("loaded-runs: failed in some runs and passed in others (flaky):");
  for (const name of flaky) console.log(`  ~ ${name}`);
}
const failedRuns = results.filter((result) => !result.ok).length;
console.log(`loaded-runs: ${runs - failedRuns} of ${runs} runs passed; logs in ${directory}`);
process.exit(failedRuns === 0 ? 0 : 1);

function runOnce(number) {
  const log = join(directory, `run-${number}.log`);
  const summaryFile = join(directory, `run-${number}.json`);
  const startedAt = Date.now();
  console.log(`loaded-runs: run ${number} started`);
  return new Promise((resolve) => {
    const output = createWriteStream(log);
    const child = spawn(process.execPath, [join(root, "scripts/run-tests.mjs"), ...passThrough], {
      cwd: root,
      env: { ...process.env, KERN_TEST_SUMMARY: summaryFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.on("close", (code) => {
      output.end();
      let verdict = null;
      try {
        verdict = JSON.parse(readFileSync(summaryFile, "utf8"));
      } catch {
        // The runner stopped before judging (a missing prerequisite, say): its log says why.
      }
      const seconds = Math.round((Date.now() - startedAt) / 1000);
      const result = { number, code, ok: code === 0, verdict, seconds, log };
      console.log(`loaded-runs: run ${number} ${result.ok ? "passed" : "FAILED"} after ${seconds} s`);
      resolve(result);
    });
  });
}

function describe({ number, code, ok, verdict, seconds, log }) {
  if (verdict === null) return `  run ${number}: FAILED before any test ran (exit ${code}, ${seconds} s); see ${log}`;
  const lines = [`  run ${number}: ${ok ? "passed" : "FAILED"} in ${seconds} s — ${verdict.counts}`];
  for (const failure of verdict.summary?.failures ?? [])
    lines.push(`    ✖ ${failure.file}: ${failure.name}${failure.error ? ` — ${failure.error}` : ""}`);
  for (const failed of verdict.summary?.failedFiles ?? []) lines.push(`    ✖ ${failed.file} failed outside any test`);
  for (const problem of ok
    ? []
    : verdict.problems.filter((line) => !line.startsWith("  ") && !/test\(s\) failed/.test(line)))
    lines.push(`    ! ${problem}`);
  return lines.join("\n");
}

/** Tests that failed in at least one run and did not fail in at least one other. */
function flakyTests(all) {
  const judged = all.filter((result) => result.verdict?.summary);
  const failedIn = new Map();
  for (const result of judged) {
    for (const failure of result.verdict.summary.failures) {
      const name = `${failure.file}: ${failure.name}`;
      failedIn.set(name, (failedIn.get(name) ?? 0) + 1);
    }
  }
  return [...failedIn]
    .filter(([, count]) => count < judged.length)
    .map(([name]) => name)
    .sort();
}

function parseArguments(args) {
  const separator = args.indexOf("--");
  const own = separator === -1 ? args : args.slice(0, separator);
  const passThrough = separator === -1 ? [] : args.slice(separator + 1);
  let runs = 4;
  let parallel = 2;
  for (let index = 0; index < own.length; index += 1) {
    if (own[index] === "--parallel") parallel = Number(own[++index]);
    else runs = Number(own[index]);
  }
  for (const [name, value] of [
    ["runs", runs],
    ["--parallel", parallel],
  ]) {
    if (!Number.isInteger(value) || value < 1) {
      console.error(
        `loaded-runs: ${name} must be a whole number of 1 or more; usage: node scripts/loaded-runs.mjs [runs] [--parallel n] [-- run-tests arguments]`,
      );
      process.exit(2);
    }
  }
  return { runs, parallel, passThrough };
}
