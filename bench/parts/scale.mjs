// Runs bench/workers/scale-worker.mjs once per store size, each in its own process, the sizes
// in a random order: measuring them in ascending order in one process let the later sizes run on
// caches and code the earlier ones had warmed ("first page ×0.28" came from that).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("../workers/scale-worker.mjs", import.meta.url));

function runSize({ backend, dir, pgUrl, size, cwd }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, backend, dir, pgUrl ?? "-", String(size)], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").filter((text) => text.startsWith("{")).at(-1);
      resolve(code === 0 && line !== undefined ? { row: JSON.parse(line) } : { error: `size ${size}: exit ${code}: ${stderr.trim().split("\n").slice(-4).join(" ")}` });
    });
  });
}

/** Returns `{ rows (ascending by size), order (as measured), error }`. */
export async function runScale({ backend, dir, pgUrl, sizes, cwd, log }) {
  const order = [...sizes].sort(() => Math.random() - 0.5);
  const rows = [];
  const errors = [];
  for (const size of order) {
    const { row, error } = await runSize({ backend, dir, pgUrl, size, cwd });
    if (row !== undefined) rows.push(row);
    if (error !== undefined) errors.push(error);
    log(`scale: ${backend} ${size} runs ${error === undefined ? "done" : "failed"}`);
  }
  rows.sort((a, b) => a.size - b.size);
  return { rows, order, error: errors.length === 0 ? null : errors.join("; ") };
}
