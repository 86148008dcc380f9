// Runs bench/workers/scale-worker.mjs for each store and collects its JSON lines.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("../workers/scale-worker.mjs", import.meta.url));

export function runScale({ backend, dir, pgUrl, sizes, cwd, log }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, backend, dir, pgUrl ?? "-", sizes.join(",")], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const rows = [];
    let stderr = "";
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        const row = JSON.parse(line);
        rows.push(row);
        log(`scale: ${backend} ${row.size} runs done`);
      }
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ rows, error: code === 0 ? null : `exit ${code}: ${stderr.trim().split("\n").slice(-4).join(" ")}` }));
  });
}
