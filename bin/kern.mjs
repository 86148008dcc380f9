#!/usr/bin/env node
// The `kern` command. In a clone of the repository it runs the CLI from its TypeScript source
// (src/cli/main.ts) through tsx, with the `kern-source` export condition that maps `kern/*` to
// src/*; in an installed package it runs the built CLI, dist/esm/cli.js (see scripts/bundle.mjs).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

function tsxLoader() {
  try {
    return import.meta.resolve("tsx");
  } catch {
    return null;
  }
}

const loader = existsSync(source) ? tsxLoader() : null;
if (loader === null) {
  await import("../dist/esm/cli.js");
} else {
  const child = spawn(
    process.execPath,
    ["--conditions=kern-source", "--import", loader, source, ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { NODE_NO_WARNINGS: "1", ...process.env },
    },
  );
  // The child owns the terminal; a signal sent to this process alone is passed on to it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === "SIGINT" ? 130 : 1);
  });
}
