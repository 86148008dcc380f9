import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { lazyModule } from "./lazy-module.js";

/**
 * The built package is one flat directory of bundles (scripts/bundle.mjs), and a lazy leaf is
 * found there by the name its caller gives, relative to whatever bundle file the caller ended up
 * in. These checks keep that true from the sources alone, so they need no build: each
 * `lazyModule()` names `./<name>.js` beside its caller, and no other file under src/ is called
 * `<name>`. A leaf must also stay a leaf (see lazy-module.ts): under tsx a required module is a
 * second instance, so nothing it loads may define a class.
 */

const src = join(dirname(new URL(import.meta.url).pathname), "..");

function sourceFiles(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) sourceFiles(path, found);
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

interface LazyCall {
  caller: string;
  specifier: string | null;
}

/** Every `lazyModule(...)` call in src/ outside tests, with its specifier when it is a string literal. */
function lazyCalls(): LazyCall[] {
  const calls: LazyCall[] = [];
  for (const file of sourceFiles(src)) {
    if (/\.test(-helper)?\.ts$/.test(file) || file === join(src, "runs", "lazy-module.ts")) continue;
    const source = withoutComments(readFileSync(file, "utf8"));
    for (const match of source.matchAll(/\blazyModule\s*(?:<[^>]*>)?\s*\(([^)]*)\)/g)) {
      const literal = /^\s*import\.meta\.url\s*,\s*"([^"]*)"\s*$/.exec(match[1] ?? "");
      calls.push({ caller: file, specifier: literal?.[1] ?? null });
    }
  }
  return calls;
}

/** The source files `file` loads at run time (type-only imports are erased), itself included. */
function valueImports(
  file: string,
  seen = new Set<string>(),
  packages = new Set<string>(),
): { files: Set<string>; packages: Set<string> } {
  if (!seen.has(file)) {
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
      if (/^(?:import|export)\s+type\s/.test(match[0])) continue;
      const specifier = match[1] ?? "";
      if (specifier.startsWith("."))
        valueImports(join(dirname(file), specifier.replace(/\.js$/, ".ts")), seen, packages);
      else packages.add(specifier);
    }
  }
  return { files: seen, packages };
}

const definesClass = (file: string): boolean =>
  /^\s*(?:export\s+)?(?:abstract\s+)?class\s/m.test(readFileSync(file, "utf8"));

describe("lazily loaded leaves (the bundle's flat layout)", () => {
  const calls = lazyCalls();
  const leaves = calls.map((call) => ({
    caller: call.caller,
    name: basename(call.specifier ?? "", ".js"),
    file: join(dirname(call.caller), (call.specifier ?? "").replace(/\.js$/, ".ts")),
  }));

  it("finds the lazyModule() calls it guards", () => {
    const names = leaves.map((leaf) => leaf.name).sort();
    for (const known of ["agent-run-schema", "workflow-run-schema"])
      assert.ok(names.includes(known), `found ${names.join(", ")}`);
  });

  it("names each leaf with a literal './<name>.js' beside its caller", () => {
    for (const { caller, specifier } of calls) {
      const where = relative(src, caller);
      assert.ok(
        specifier !== null,
        `${where}: lazyModule() must read lazyModule(import.meta.url, "./<name>.js"); the bundler finds leaves by that literal`,
      );
      assert.match(
        specifier,
        /^\.\/[\w.-]+\.js$/,
        `${where}: '${specifier}' must be a file beside the caller, './<name>.js'`,
      );
      const file = join(dirname(caller), specifier.replace(/\.js$/, ".ts"));
      assert.ok(existsSync(file), `${where}: ${relative(src, file)} does not exist`);
    }
  });

  it("gives each leaf a file name no other file under src/ has", () => {
    const files = sourceFiles(src);
    for (const leaf of leaves) {
      const namesakes = files.filter((file) => basename(file, ".ts") === leaf.name).map((file) => relative(src, file));
      assert.deepEqual(
        namesakes,
        [relative(src, leaf.file)],
        `'${leaf.name}' must be unique: the bundle puts every leaf in one directory as ${leaf.name}.js`,
      );
    }
  });

  it("keeps each leaf free of classes and of packages other than zod", () => {
    for (const leaf of leaves) {
      const { files, packages } = valueImports(leaf.file);
      assert.deepEqual(
        [...packages].filter((name) => name !== "zod"),
        [],
        `${relative(src, leaf.file)} loads packages other than zod`,
      );
      const withClasses = [...files].filter(definesClass).map((file) => relative(src, file));
      assert.deepEqual(
        withClasses,
        [],
        `${relative(src, leaf.file)} loads modules that define classes; a leaf may load only zod, constants and types`,
      );
    }
    // The walker must see a class where there is one, or the check above proves nothing.
    assert.ok([...valueImports(join(src, "agent", "run-output.ts")).files].some(definesClass));
  });

  it("loads a leaf on first call and hands back the same exports afterwards", () => {
    const schemas = lazyModule<{ RUN_STATUSES: readonly string[] }>(import.meta.url, "./agent-run-state.js");
    const first = schemas();
    assert.ok(first.RUN_STATUSES.includes("paused"));
    assert.equal(schemas(), first);
  });
});
