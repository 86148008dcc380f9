#!/usr/bin/env node
// npm test: finds every *.test.ts file and hands the explicit list to Node's test runner (Node 20
// does not expand globs, and a run given no file would execute no test at all), then says whether
// the run was honest. It fails, with the reason, when any test fails, when any test or suite is
// skipped or left as todo, when a file registers no test, and when a prerequisite is missing.
//
// Prerequisites (scripts/test-prerequisites.mjs): the PostgreSQL server binaries, Chromium at
// /usr/bin/chromium and tmux. They are checked before any test runs. Setting
// KERN_TEST_ALLOW_MISSING=postgres,chromium,tmux (any of them) lets their tests skip instead; the
// run then lists them as NOT RUN. CI never sets it.
//
// Unless KERN_TEST_POSTGRES_URL names a server, this starts a throwaway PostgreSQL cluster (about
// a second) and stops it when the runner exits, however it exits.
//
//   node scripts/run-tests.mjs                  every test file
//   node scripts/run-tests.mjs agent workflow   the files whose path contains "agent" or "workflow"
//   node scripts/run-tests.mjs --files a.ts     exactly these files (the runner's own test uses it)
// KERN_TEST_SUMMARY=<file> also writes the run's summary there as JSON (scripts/loaded-runs.mjs).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { findPostgresBinaries, startCluster } from "./postgres-cluster.mjs";
import { ALLOW_MISSING_VARIABLE, allowedMissing, missingPrerequisites } from "./test-prerequisites.mjs";
import { judge } from "./test-verdict.mjs";

const root = new URL("..", import.meta.url).pathname;
const roots = ["src", "test", "examples", "scripts"];

function collect(directory, found) {
  let entries;
  try {
    entries = readdirSync(directory);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry === "node_modules") continue;
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) collect(path, found);
    else if (entry.endsWith(".test.ts")) found.push(relative(root, path));
  }
  return found;
}

function testFiles(args) {
  if (args[0] === "--files") return args.slice(1).map((file) => relative(root, resolvePath(file)));
  return roots
    .flatMap((folder) => collect(join(root, folder), []))
    .filter((file) => args.length === 0 || args.some((part) => file.includes(part)))
    .sort();
}

const files = testFiles(process.argv.slice(2));
if (files.length === 0) fail("no test file matched; refusing to report an empty run as a pass.");
let allowed;
try {
  allowed = allowedMissing(process.env);
} catch (error) {
  fail(error.message);
}
console.log(
  `run-tests: Node ${process.version} (${process.execPath}, ABI ${process.versions.modules}); ${files.length} test files`,
);
checkPrerequisites();

// A signal stops the runner (the terminal usually sends it to the runner too); the cluster is then
// stopped on the normal path below, so an interrupted run leaves no server or directory behind.
let runner = null;
let interrupted = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted = signal;
    runner?.kill(signal);
  });
}

const env = { ...process.env, NODE_NO_WARNINGS: "1" };
// Set when this runner itself runs inside a test; Node would then report to its parent, not here.
delete env.NODE_TEST_CONTEXT;
let cluster = null;
if (!env.KERN_TEST_POSTGRES_URL) {
  const binaries = findPostgresBinaries();
  if (binaries !== null) {
    const startedAt = Date.now();
    try {
      cluster = await startCluster({ binaries });
    } catch (error) {
      fail(`could not start a throwaway PostgreSQL from ${binaries}: ${error.message}`);
    }
    env.KERN_TEST_POSTGRES_URL = cluster.url;
    console.log(`run-tests: throwaway PostgreSQL at ${cluster.url} (started in ${Date.now() - startedAt} ms)`);
  }
}

let result = { exitCode: 1, summary: null };
try {
  if (interrupted === null) result = await runTests(files, env);
} finally {
  await cluster?.stop();
}
if (interrupted !== null) process.exit(128 + (interrupted === "SIGINT" ? 2 : 15));
process.exit(report(result) ? 0 : 1);

/** Fails before any test runs when a prerequisite is missing that KERN_TEST_ALLOW_MISSING does not name. */
function checkPrerequisites() {
  const missing = missingPrerequisites(process.env);
  const refused = missing.filter((prerequisite) => !allowed.has(prerequisite.name));
  for (const prerequisite of missing.filter((each) => allowed.has(each.name))) {
    console.error(
      `run-tests: NOTICE: ${prerequisite.what} missing; ${ALLOW_MISSING_VARIABLE} names '${prerequisite.name}', so its tests will NOT RUN.`,
    );
  }
  if (refused.length === 0) return;
  const lines = refused.map((prerequisite) => `  - ${prerequisite.what}: ${prerequisite.install}`);
  fail(
    [
      "missing prerequisites; without them some tests cannot run, and a run that leaves tests out is not a pass:",
      ...lines,
      `Install them (.ci/run does), or set ${ALLOW_MISSING_VARIABLE}=${refused.map((each) => each.name).join(",")} to run without their tests; the run then lists them as NOT RUN.`,
    ].join("\n"),
  );
}

function runTests(testFiles, childEnv) {
  const summaryDirectory = mkdtempSync(join(tmpdir(), "kern-test-summary-"));
  const summaryFile = join(summaryDirectory, "summary.json");
  const reporter = pathToFileURL(join(root, "scripts/test-honesty-reporter.mjs")).href;
  const args = [
    "--conditions=kern-source",
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${reporter}`,
    `--test-reporter-destination=${summaryFile}`,
    ...testFiles,
  ];
  return new Promise((resolve) => {
    const finish = (exitCode) => {
      let summary = null;
      try {
        summary = JSON.parse(readFileSync(summaryFile, "utf8"));
      } catch {
        // No summary: the runner died before the end; judge() says so.
      }
      rmSync(summaryDirectory, { recursive: true, force: true });
      resolve({ exitCode, summary });
    };
    runner = spawn(process.execPath, args, { cwd: root, stdio: "inherit", env: childEnv });
    runner.on("error", (error) => {
      console.error(`run-tests: could not start the test runner: ${error.message}`);
      finish(1);
    });
    runner.on("exit", (code) => finish(code ?? 1));
  });
}

/** Prints the verdict after Node's own summary; true when the run passed. */
function report({ exitCode, summary }) {
  const verdict = judge(summary, { files, exitCode, allowed });
  if (process.env.KERN_TEST_SUMMARY)
    writeFileSync(
      process.env.KERN_TEST_SUMMARY,
      JSON.stringify({ node: process.version, ...verdict, summary }, null, 2),
    );
  console.log("");
  // On stdout, like Node's summary above, so that a log keeps them in order.
  for (const line of [...verdict.notices, ...verdict.problems]) console.log(`run-tests: ${line}`);
  const outcome = verdict.ok
    ? verdict.notices.length > 0
      ? "PASSED, with tests NOT RUN (see above)"
      : "PASSED"
    : "FAILED";
  console.log(`run-tests: ${outcome} on Node ${process.version}: ${verdict.counts}`);
  return verdict.ok;
}

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(1);
}
