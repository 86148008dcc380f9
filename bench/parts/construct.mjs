// Agent construction time and heap per Agent: one fresh `node --expose-gc` process per framework.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("../workers/construct-worker.mjs", import.meta.url));
export const CONSTRUCT_FRAMEWORKS = ["kern", "openai-agents", "langgraph", "mastra"];

export function runConstruction({ cwd, log }) {
  const results = {};
  for (const framework of CONSTRUCT_FRAMEWORKS) {
    log(`construct: ${framework}`);
    const child = spawnSync(process.execPath, ["--expose-gc", WORKER, framework], { cwd, encoding: "utf8", timeout: 300_000 });
    const line = child.stdout.trim().split("\n").at(-1) ?? "";
    if (child.status !== 0 || !line.startsWith("{")) {
      results[framework] = { error: `exit ${child.status}: ${child.stderr.trim().split("\n").slice(-3).join(" ")}` };
      continue;
    }
    results[framework] = JSON.parse(line);
  }
  return results;
}
