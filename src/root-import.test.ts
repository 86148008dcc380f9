import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

/**
 * `import "kern"` must stay fast, and zod alone costs about 100 ms to load, so nothing the root
 * imports statically may load it; the zod schemas load on first use (see runs/lazy-module.ts).
 * Each probe runs in a fresh process whose loader hook refuses to resolve any file of the zod
 * package, so the failure names the module that imported it.
 */

const root = new URL("..", import.meta.url);

/** A resolve hook, registered before anything is imported, that fails any import of zod. */
const hook = `
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.includes("/node_modules/zod/")) {
    throw new Error("ZOD_LOADED: " + context.parentURL + " imports '" + specifier + "'");
  }
  return resolved;
}`;
const registerHook = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

interface Probe {
  status: number | null;
  output: string;
}

/** Imports `modulePath` (relative to the repository) the way the tests do, then lists required zod files. */
function probe(modulePath: string): Probe {
  const script = `
    await import(${JSON.stringify(modulePath)});
    const { createRequire } = await import("node:module");
    const required = Object.keys(createRequire(process.cwd() + "/").cache).filter((file) => file.includes("/node_modules/zod/"));
    if (required.length > 0) throw new Error("ZOD_LOADED by require(): " + required[0]);
    console.log("NO_ZOD");`;
  const result = spawnSync(
    process.execPath,
    [
      "--conditions=kern-source",
      "--import",
      "tsx",
      "--import",
      `data:text/javascript,${encodeURIComponent(registerHook)}`,
      "--input-type=module",
      "-e",
      script,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('import "kern"', () => {
  it("loads no zod: the root's static imports never reach it", () => {
    const result = probe("./src/index.ts");
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /NO_ZOD/);
  });

  it("is checked by a probe that does see zod when a module imports it", () => {
    const result = probe("./src/runs/agent-run-schema.ts");
    assert.notEqual(result.status, 0, result.output);
    assert.match(result.output, /ZOD_LOADED: .*agent-run-schema\.ts imports 'zod'/);
  });
});
