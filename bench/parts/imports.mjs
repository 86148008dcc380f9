// Cold import time: a fresh `node` process per sample, from spawn to exit, so Node's own
// start-up is included. Samples of all entries are interleaved round by round.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { median } from "../lib/stats.mjs";

const importAll = (specifiers) => specifiers.map((specifier) => `import ${JSON.stringify(specifier)};`).join(" ");

/** Each package's main entry; for kern also every module its cycle imports. */
export const IMPORTS = [
  { id: "node", label: "node, empty script (start-up alone)", code: "" },
  { id: "kern", label: 'kern: import "kern"', code: importAll(["kern"]) },
  { id: "kern-cycle", label: "kern: modules the cycle uses", code: importAll(["zod", "kern/agent", "kern/tools", "kern/workflow", "kern/db/sqlite"]) },
  { id: "openai-agents", label: 'OpenAI Agents JS: import "@openai/agents"', code: importAll(["@openai/agents"]) },
  { id: "langgraph", label: 'LangGraph.js: import "@langchain/langgraph"', code: importAll(["@langchain/langgraph"]) },
  { id: "mastra", label: 'Mastra: import "@mastra/core"', code: importAll(["@mastra/core"]) },
];

export function runImports({ cwd, samples, log }) {
  const times = Object.fromEntries(IMPORTS.map((entry) => [entry.id, []]));
  const errors = {};
  for (let round = 0; round < samples + 1; round += 1) {
    for (const entry of IMPORTS) {
      if (errors[entry.id] !== undefined) continue;
      const start = performance.now();
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", entry.code], { cwd, encoding: "utf8", timeout: 60_000 });
      const elapsed = performance.now() - start;
      if (child.status !== 0) {
        errors[entry.id] = `exit ${child.status}: ${child.stderr.trim().split("\n").slice(-2).join(" ")}`;
        continue;
      }
      if (round > 0) times[entry.id].push(elapsed); // round 0 warms the file cache
    }
    if (round % 5 === 0) log(`import: round ${round}/${samples}`);
  }
  return Object.fromEntries(
    IMPORTS.map((entry) => [
      entry.id,
      errors[entry.id] !== undefined ? { label: entry.label, error: errors[entry.id] } : { label: entry.label, median: median(times[entry.id]), samples: times[entry.id].length },
    ]),
  );
}
