#!/usr/bin/env node
// Finds every *.test.ts file and hands the explicit list to Node's test runner: Node 20 does not
// expand globs, and a run given no file would execute no test at all.
//
// The PostgreSQL suites need a server: unless KERN_TEST_POSTGRES_URL names one, this starts a
// throwaway cluster from the machine's PostgreSQL binaries (about a second) and stops it when the
// runner exits, however it exits. Without the binaries those suites skip themselves, loudly.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { findPostgresBinaries, startCluster } from "./postgres-cluster.mjs";

const root = new URL("..", import.meta.url).pathname;
const roots = ["src", "test", "examples"];
const filter = process.argv.slice(2);

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

const files = roots
  .flatMap((folder) => collect(join(root, folder), []))
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error("run-tests: no test file matched; refusing to report an empty run as a pass.");
  process.exit(1);
}

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
let cluster = null;
if (!env.KERN_TEST_POSTGRES_URL) {
  const binaries = findPostgresBinaries();
  if (binaries === null) {
    console.error("NOTICE: PostgreSQL binaries not found; the PostgreSQL suites are skipped.");
  } else {
    const startedAt = Date.now();
    try {
      cluster = await startCluster({ binaries });
    } catch (error) {
      console.error(`run-tests: could not start a throwaway PostgreSQL from ${binaries}: ${error.message}`);
      process.exit(1);
    }
    env.KERN_TEST_POSTGRES_URL = cluster.url;
    console.log(`run-tests: throwaway PostgreSQL at ${cluster.url} (started in ${Date.now() - startedAt} ms)`);
  }
}

let exitCode = 1;
try {
  if (interrupted === null) exitCode = await runTests(files, env);
} finally {
  await cluster?.stop();
}
process.exit(interrupted === null ? exitCode : 128 + (interrupted === "SIGINT" ? 2 : 15));

function runTests(testFiles, childEnv) {
  const args = ["--conditions=kern-source", "--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...testFiles];
  return new Promise((resolve) => {
    runner = spawn(process.execPath, args, { cwd: root, stdio: "inherit", env: childEnv });
    runner.on("error", (error) => {
      console.error(`run-tests: could not start the test runner: ${error.message}`);
      resolve(1);
    });
    runner.on("exit", (code) => resolve(code ?? 1));
  });
}
