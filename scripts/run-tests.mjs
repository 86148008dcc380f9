#!/usr/bin/env node
// Finds every *.test.ts file and hands the explicit list to Node's test runner: Node 20 does not
// expand globs, and a run given no file would execute no test at all.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

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

const result = spawnSync(
  process.execPath,
  ["--conditions=kern-source", "--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
);
process.exit(result.status ?? 1);
