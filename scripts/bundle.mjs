#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
// The JavaScript half of `npm run build` (tsc has already type-checked src/ and written the .d.ts
// files): bundles src/ with esbuild into dist/esm/, one flat directory, so that `import "kern"`
// loads three files instead of ~70 modules (Node 20's ESM loader costs about a millisecond per
// file). It then writes the files package.json "exports" point at and checks that everything the
// package promises exists.
//
// - Entries: every public subpath in package.json "exports" and the CLI that bin/kern.mjs starts,
//   bundled together with code splitting, so each class (KernError and its subclasses above all)
//   exists once however many subpaths a program imports: `instanceof` must hold across `kern` and
//   `kern/agent`. Every entry (and every chunk esbuild makes for a dynamic `import()`) also
//   imports the whole core (src/index.ts), so the core is one shared chunk rather than a dozen,
//   one per combination of subpaths that happens to use a file. The price: a program importing an
//   adapter such as `kern/db/sqlite` without `kern` loads the core too (~15 ms), which the
//   adapter's users load anyway to have something to plug it into.
// - Lazy leaves: each module loaded at run time by `lazyModule(import.meta.url, "./name.js")`
//   (src/runs/lazy-module.ts), which esbuild cannot see, is bundled on its own into
//   dist/esm/<name>.js, self-contained apart from zod. The caller looks for it beside whichever
//   file the caller was bundled into; in a flat directory that is always the right place.
// - Every npm dependency stays external (node_modules resolves it at run time, and the adapters'
//   SDKs and drivers stay optional peers); a bare import of anything else fails the build.
// - The files "exports" names are forwarders to the bundles; those of subpaths that import an
//   optional peer check for it first (scripts/bundle-forwarders.mjs).
// - The demo's scenario modules are bundled too, for the installed CLI (scripts/bundle-demo.mjs).
import { build } from "esbuild";
import { checkScenarios, demoScenarios, kernSubpathsPlugin } from "./bundle-demo.mjs";
import { checkForwarders, packageName, writeForwarders } from "./bundle-forwarders.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const OUT_DIR = "dist/esm";
/** The CLI entry; bin/kern.mjs imports its bundle when the package is installed (no src/, no tsx). */
const CLI = { name: "cli", source: "src/cli/main.ts" };
/** The check the forwarders of subpaths with optional peers run before loading their bundle. */
const PEER_GUARD = { name: "optional-peers", source: "src/optional-peers.ts" };

/** "./db/sqlite" → "db-sqlite", "." → "index": the bundle file of a public subpath. */
function bundleName(subpath) {
  return subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-");
}

/** The public subpaths: those package.json "exports" maps to a source file. */
function publicEntries() {
  return Object.entries(packageJson.exports)
    .filter(([, target]) => typeof target === "object" && typeof target["kern-source"] === "string")
    .map(([subpath, target]) => ({
      subpath,
      name: bundleName(subpath),
      source: target["kern-source"].replace(/^\.\//, ""),
      target,
    }));
}

function sourceFiles(directory, found = []) {
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) sourceFiles(path, found);
    else if (/\.ts$/.test(entry.name) && !/\.test(-helper)?\.ts$/.test(entry.name)) found.push(path);
  }
  return found;
}

function withoutComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** Every module loaded by `lazyModule(import.meta.url, "./name.js")`, as { name, source }. */
function lazyLeaves() {
  const leaves = new Map();
  const problems = [];
  for (const file of sourceFiles("src")) {
    if (file === join("src", "runs", "lazy-module.ts")) continue;
    const source = withoutComments(readFileSync(join(root, file), "utf8"));
    const calls = source.match(/\blazyModule\s*(<[^>]*>)?\s*\(/g) ?? [];
    const literal = [
      ...source.matchAll(/\blazyModule\s*(?:<[^>]*>)?\s*\(\s*import\.meta\.url\s*,\s*"\.\/([\w.-]+)\.js"\s*\)/g),
    ];
    if (calls.length !== literal.length) {
      problems.push(
        `${file}: every lazyModule() call must read lazyModule(import.meta.url, "./<name>.js") with a literal specifier`,
      );
    }
    for (const [, name] of literal) {
      const leafSource = join(dirname(file), `${name}.ts`);
      if (!existsSync(join(root, leafSource)))
        problems.push(`${file}: lazyModule() names ./${name}.js, but ${leafSource} does not exist`);
      const known = leaves.get(name);
      if (known !== undefined && known.source !== leafSource) {
        problems.push(
          `${file}: two lazy leaves are named ${name} (${known.source}, ${leafSource}); they would share dist/esm/${name}.js`,
        );
      }
      leaves.set(name, { name, source: leafSource });
    }
  }
  if (problems.length > 0) fail(problems);
  return [...leaves.values()];
}

/** npm packages stay external; node: builtins too; any other bare import is a missing dependency. */
function externalsPlugin() {
  const dependencies = new Set(
    ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
      Object.keys(packageJson[field] ?? {}),
    ),
  );
  const builtins = new Set(builtinModules);
  return {
    name: "kern-externals",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const specifier = args.path;
        if (specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]))
          return { path: specifier, external: true };
        if (dependencies.has(packageName(specifier))) return { path: specifier, external: true };
        return {
          errors: [
            { text: `'${specifier}' is not a dependency in package.json; add it there or import it relatively` },
          ],
        };
      });
    },
  };
}

function fail(problems) {
  console.error(`bundle: the build is broken:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  process.exit(1);
}

/** The output files `file` (relative to the repository) loads through static imports, itself included. */
function staticClosure(outputs, file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const imported of outputs[file]?.imports ?? []) {
    if (imported.kind === "import-statement" && !imported.external) staticClosure(outputs, imported.path, seen);
  }
  return seen;
}

function check(entries, leaves, outputs) {
  const problems = [];
  for (const file of Object.keys(outputs)) {
    if (dirname(file) !== OUT_DIR)
      problems.push(`${file} is not directly in ${OUT_DIR}/; lazy leaves would not resolve from it`);
  }
  for (const leaf of leaves) {
    const file = `${OUT_DIR}/${leaf.name}.js`;
    if (outputs[file] === undefined || !existsSync(join(root, file))) {
      problems.push(`lazy leaf ${leaf.source} has no ${file}`);
      continue;
    }
    const imports = outputs[file].imports.filter(
      (imported) => !(imported.external && /^zod(\/|$)/.test(imported.path)),
    );
    if (imports.length > 0)
      problems.push(
        `${file} must load nothing but zod, yet imports ${imports.map((imported) => imported.path).join(", ")}`,
      );
  }
  for (const { subpath, target } of entries) {
    for (const condition of ["import", "types"]) {
      const path = target[condition];
      if (typeof path !== "string" || !existsSync(join(root, path)))
        problems.push(`exports["${subpath}"].${condition} (${path}) does not exist`);
    }
  }
  const bin = readFileSync(join(root, "bin/kern.mjs"), "utf8").match(/import\("\.\.\/(dist\/[^"]+)"\)/);
  if (bin === null || !existsSync(join(root, bin[1])))
    problems.push(`bin/kern.mjs imports ${bin?.[1] ?? "no dist/ file"}, which does not exist`);
  // The bundle must keep what src/root-import.test.ts checks in the sources: zod stays off `import "kern"`.
  for (const file of staticClosure(outputs, `${OUT_DIR}/index.js`)) {
    const zod = (outputs[file]?.imports ?? []).find(
      (imported) => imported.external && imported.kind === "import-statement" && /^zod(\/|$)/.test(imported.path),
    );
    if (zod !== undefined) problems.push(`${file} imports ${zod.path} statically, so \`import "kern"\` loads zod`);
  }
  if (problems.length > 0) fail(problems);
}

/** Loads each subpath's bundle (not the CLI's, which runs on import) and checks its exported names. */
async function checkLoads(entries) {
  const problems = [];
  for (const { subpath, name } of entries) {
    try {
      const module = await import(pathToFileURL(join(root, OUT_DIR, `${name}.js`)).href);
      for (const [exported, value] of Object.entries(module)) {
        if (typeof value === "function" && value.name !== exported)
          problems.push(`kern${subpath.slice(1)} exports ${exported}, whose name is '${value.name}'`);
      }
    } catch (error) {
      problems.push(`kern${subpath.slice(1)} does not load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) fail(problems);
}

/**
 * Entry `kern-entry:<source>` is `<source>` plus an import of the whole core, so that every entry
 * reaches every core module and esbuild puts the core in one chunk (see the top of this file).
 * `export *` passes on every name but `default`, which no kern module exports.
 */
function coreFirstPlugin(core) {
  return {
    name: "kern-core-first",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^kern-entry:/ }, (args) => ({
        path: args.path.slice("kern-entry:".length),
        namespace: "kern-entry",
      }));
      // esbuild makes each `import("./x.js")` an entry point of its own; it gets the core too.
      pluginBuild.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== "dynamic-import" || args.namespace !== "file") return undefined;
        const source = relative(root, join(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
        return { path: source, namespace: "kern-entry" };
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: "kern-entry" }, (args) => ({
        contents: `import ${JSON.stringify(`./${core}`)};\nexport * from ${JSON.stringify(`./${args.path}`)};\n`,
        resolveDir: root,
        loader: "js",
      }));
    },
  };
}

async function bundle(options) {
  try {
    return await build({
      absWorkingDir: root,
      outdir: OUT_DIR,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      // Bundled classes become `var RunOutput = class _RunOutput {...}`, whose `name` would be
      // "_RunOutput"; an error's `name` is its class name. keepNames costs ~2 ms of `import "kern"`.
      keepNames: true,
      sourcemap: "linked",
      metafile: true,
      logLevel: "warning",
      ...options,
      plugins: [...(options.plugins ?? []), externalsPlugin()],
    });
  } catch {
    // esbuild has already printed each error with its source location.
    process.exit(1);
  }
}

const entries = publicEntries();
const leaves = lazyLeaves();
const scenarios = demoScenarios(root);
const names = [
  ...entries.map((entry) => entry.name),
  CLI.name,
  PEER_GUARD.name,
  ...leaves.map((leaf) => leaf.name),
  ...scenarios.map((scenario) => scenario.name),
];
const clash = names.find((name, index) => names.indexOf(name) !== index);
if (clash !== undefined) fail([`two entry points would both be ${OUT_DIR}/${clash}.js; rename the lazy leaf`]);
const core = entries.find((entry) => entry.subpath === ".").source;

rmSync(join(root, OUT_DIR), { recursive: true, force: true });
const main = await bundle({
  entryPoints: [...entries, CLI, PEER_GUARD].map(({ name, source }) => ({
    in: source === core ? core : `kern-entry:${source}`,
    out: name,
  })),
  splitting: true,
  chunkNames: "chunk-[hash]",
  plugins: [coreFirstPlugin(core)],
});
const lazy = await bundle({ entryPoints: leaves.map(({ name, source }) => ({ in: source, out: name })) });
const demo = await bundle({
  entryPoints: scenarios.map(({ name, source }) => ({ in: source, out: name })),
  plugins: [kernSubpathsPlugin(packageJson)],
});
const outputs = { ...main.metafile.outputs, ...lazy.metafile.outputs, ...demo.metafile.outputs };
const guarded = writeForwarders({ entries, outputs, packageJson, root, outDir: OUT_DIR, guard: PEER_GUARD.name });
check(entries, leaves, outputs);
await checkLoads(entries);
const problems = [
  ...(await checkForwarders({ entries, root, outDir: OUT_DIR })),
  ...(await checkScenarios({ scenarios, root, outDir: OUT_DIR })),
];
if (problems.length > 0) fail(problems);

const files = Object.keys(outputs).filter((file) => file.endsWith(".js"));
const rootFiles = staticClosure(outputs, `${OUT_DIR}/index.js`).size;
const peers = Object.entries(guarded).map(([subpath, names]) => `kern${subpath.slice(1)}: ${names.join(", ")}`);
console.log(
  `bundle: ${entries.length} subpaths, the CLI, ${scenarios.length} demo scenarios and ${leaves.length} lazy leaves (${leaves.map((leaf) => basename(leaf.source)).join(", ")}) ` +
    `→ ${files.length} files in ${OUT_DIR}/; \`import "kern"\` loads ${rootFiles + 1} of them (with its forwarder). ` +
    `Optional peers checked on import: ${peers.join("; ")}.`,
);
