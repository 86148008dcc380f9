// Part of scripts/bundle.mjs: ships the scenarios `kern demo` runs. They are TypeScript programs in
// examples/ (what a user reads), which the package does not ship and plain Node cannot import;
// each is bundled into dist/esm/scenario-<file>.js, where the built CLI looks for it (see
// scenarioUrl() in src/cli/catalog.ts).
//
// A scenario imports kern the way a user's program does, through its public subpaths ("kern/workflow",
// "kern/testing", ...), and those imports stay imports: at run time the package resolves them to its
// own forwarders and bundles (a package may import itself by name), so the scenario's Workflow is
// the very class the CLI checks with `instanceof`, and the optional `openai` loads only online.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CATALOG = "src/cli/catalog.ts";
const SCENARIO_DIR = "examples/workflows/human-in-the-loop/nested";

/** The bundle name of a scenario module, as src/cli/catalog.ts computes it: "01_x.ts" → "scenario-01_x". */
function scenarioName(file) {
  return `scenario-${file.replace(/\.ts$/, "")}`;
}

/** The scenario modules the CLI catalog names (its `file: "…ts"` entries), as { name, source }. */
export function demoScenarios(root) {
  const catalog = readFileSync(join(root, CATALOG), "utf8");
  const files = [...catalog.matchAll(/\bfile:\s*"([\w.-]+\.ts)"/g)].map((match) => match[1]);
  return files.map((file) => ({ name: scenarioName(file), source: `${SCENARIO_DIR}/${file}` }));
}

/** Keeps `kern` and `kern/<subpath>` imports as they are, refusing a subpath package.json does not export. */
export function kernSubpathsPlugin(packageJson) {
  return {
    name: "kern-subpaths",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^kern(\/|$)/ }, (args) => {
        const subpath = `.${args.path.slice("kern".length)}`;
        if (packageJson.exports[subpath] === undefined)
          return { errors: [{ text: `'${args.path}' is not a public subpath of kern (package.json exports)` }] };
        return { path: args.path, external: true };
      });
    },
  };
}

/** Loads each bundled scenario and checks that it exports the build() the CLI calls. */
export async function checkScenarios({ scenarios, root, outDir }) {
  const problems = [];
  for (const { name, source } of scenarios) {
    try {
      const module = await import(pathToFileURL(join(root, outDir, `${name}.js`)).href);
      if (typeof module.build !== "function") problems.push(`${outDir}/${name}.js (${source}) exports no build()`);
    } catch (error) {
      problems.push(
        `${outDir}/${name}.js (${source}) does not load: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return problems;
}
