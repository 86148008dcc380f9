// kern as a user gets it: `npm pack`, installed into a new app in a temporary directory, used
// there with plain Node (no tsx unless the app installs it) and checked with `tsc --strict`.
// Builds dist/ first when it is missing or older than the sources. Offline: kern's dependencies
// and peers are linked from this repository's node_modules (see packed-app.test-helper.ts).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildAndPack, createApp, install, type Outcome, type Packed, root, run } from "./packed-app.test-helper.js";
import { readmeBlocks } from "./readme-blocks.test-helper.js";
import { MY_WORKFLOW, START } from "./user-program.test-helper.js";

const directory = mkdtempSync(join(tmpdir(), "kern-installed-"));
const app = join(directory, "app");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
after(() => rmSync(directory, { recursive: true, force: true }));

/** The app's environment: offline, no colour, and nothing of this repository's npm run or tsx. */
function appEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", NODE_NO_WARNINGS: "1" };
  for (const name of Object.keys(env))
    if (name.startsWith("npm_") || name === "NODE_OPTIONS" || name === "OPENAI_API_KEY" || name === "KERN_MODEL")
      delete env[name];
  return env;
}

/** `npx kern <args>` in the app, as a user runs it. */
function kern(...args: string[]): Promise<Outcome> {
  return run("npx", ["--offline", "kern", ...args], { cwd: app, env: appEnv() });
}

/** Runs an ES module snippet with plain Node in the app and returns what it printed. */
function node(script: string): Promise<Outcome> {
  return run(process.execPath, ["--input-type=module", "-e", script], { cwd: app, env: appEnv() });
}

function count(haystack: string, text: string): number {
  return haystack.split(text).length - 1;
}

/** Node strips TypeScript types itself (22.18+, 24: `process.features.typescript`); Node 20 cannot. */
const features: object = process.features;
const nodeStripsTypes = "typescript" in features && Boolean(features.typescript);

describe("the packed package, installed into a new app", { timeout: 300_000 }, () => {
  let packed: Packed;
  let pausedDemoRun = "";

  before(async () => {
    packed = await buildAndPack(directory);
    createApp(app);
    await install(app, [packed.tarball, "zod", "commander", "@clack/prompts"]);
  });

  it("ships the built CLI, the optional-peer check and the demo's scenarios, and no sources or tests", () => {
    for (const file of [
      "bin/kern.mjs",
      "dist/esm/cli.js",
      "dist/esm/optional-peers.js",
      "dist/index.d.ts",
      "dist/db/sqlite/index.js",
    ])
      assert.ok(packed.files.includes(file), file);
    assert.equal(packed.files.filter((file) => /^dist\/esm\/scenario-0[1-8]_\w+\.js$/.test(file)).length, 8);
    assert.deepEqual(
      packed.files.filter((file) => /^(src|examples|test)\//.test(file) || /\.test(-helper)?\./.test(file)),
      [],
    );
  });

  it("kern --version and -V print the package's version", async () => {
    for (const flag of ["--version", "-V"]) {
      const { code, stdout } = await kern(flag);
      assert.deepEqual([code, stdout.trim()], [0, version], flag);
    }
  });

  it("a missing optional peer is kern's ConfigurationError naming the install command", async () => {
    const script = `
      const { ConfigurationError } = await import("kern");
      for (const subpath of ["kern/db/sqlite", "kern/db/postgres", "kern/server", "kern/models/openai", "kern/models/anthropic", "kern/models/ai-sdk", "kern/mcp"]) {
        try { await import(subpath); console.log(subpath, "loaded"); }
        catch (error) { console.log(error instanceof ConfigurationError, error.code, error.message); }
      }
      for (const subpath of ["kern/agent", "kern/tools", "kern/workflow", "kern/db/memory", "kern/testing"]) await import(subpath);`;
    const { code, stdout, stderr } = await node(script);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split("\n"), [
      "true KERN_CONFIGURATION kern/db/sqlite needs better-sqlite3, which is not installed: npm install better-sqlite3@12",
      "true KERN_CONFIGURATION kern/db/postgres needs pg, which is not installed: npm install pg@8",
      "true KERN_CONFIGURATION kern/server needs @hono/node-server and hono, which are not installed: npm install @hono/node-server@2 hono@4",
      "true KERN_CONFIGURATION kern/models/openai needs openai, which is not installed: npm install openai@6",
      "true KERN_CONFIGURATION kern/models/anthropic needs @anthropic-ai/sdk, which is not installed: npm install @anthropic-ai/sdk@1",
      "true KERN_CONFIGURATION kern/models/ai-sdk needs @ai-sdk/provider, which is not installed: npm install @ai-sdk/provider@3",
      "true KERN_CONFIGURATION kern/mcp needs @modelcontextprotocol/sdk, which is not installed: npm install @modelcontextprotocol/sdk@1",
    ]);
    const demo = await kern("demo", "--approve");
    assert.equal(demo.code, 1);
    assert.match(demo.stderr, /kern demo needs better-sqlite3, which is not installed: npm install better-sqlite3@12/);
    assert.doesNotMatch(demo.stderr, /ERR_MODULE_NOT_FOUND|\n\s+at /);
  });

  it("with better-sqlite3 installed, npx kern demo --approve runs the seed offline and sends the alert once", async () => {
    await install(app, ["better-sqlite3", "openai", "typescript", "@types/node"]);
    const { code, stdout, stderr } = await kern("demo", "--approve", "--db", "app.db");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /No OPENAI_API_KEY: running offline on a scripted model\./);
    assert.equal(count(stdout, "send_alert ran: Alert sent for Tokyo"), 1);
    assert.match(stdout, /completed · 2 pauses answered · tools run: send_alert ×1/);
  });

  it("the bundled scenarios answer from the tool results: a rejected deploy is reported as not done", async () => {
    const { code, stdout, stderr } = await kern("demo", "condition", "--reject", "--db", "app.db");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /completed: Announced: I did not deploy v2\.4\.0 to staging: the deploy was rejected\./);
    assert.doesNotMatch(stdout, /Deployed v2\.4\.0/);
  });

  it("kern runs list shows the demo's workflow runs and their agents' runs", async () => {
    const detached = await kern("demo", "--detach", "--db", "app.db");
    assert.equal(detached.code, 0, detached.stderr);
    pausedDemoRun = /run ([0-9a-f-]{36})\)/.exec(detached.stdout)?.[1] ?? "";
    const { code, stdout } = await kern("runs", "list", "--db", "app.db");
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`${pausedDemoRun}\\s+workflow\\s+DualConfirmation\\s+paused`));
    assert.match(stdout, /\bagent\s+\S+\s+completed/);
  });

  it("a TypeScript --module without tsx: Node 20 says to install tsx; Node that strips types loads it", async () => {
    writeFileSync(join(app, "my-workflow.ts"), MY_WORKFLOW);
    const { code, stderr } = await kern(
      "runs",
      "continue",
      pausedDemoRun,
      "--db",
      "app.db",
      "--module",
      "./my-workflow.ts",
      "--approve",
    );
    if (nodeStripsTypes) {
      assert.equal(code, 1, stderr);
      assert.match(
        stderr,
        /The run belongs to workflow 'DualConfirmation', but \.\/my-workflow\.ts defines workflow 'Release'/,
      );
    } else {
      assert.equal(code, 2, stderr);
      assert.match(
        stderr,
        /my-workflow\.ts is TypeScript, which Node\.js v[\d.]+ cannot import by itself\. Install tsx in your project \(npm install -D tsx\)/,
      );
    }
    const listed = await kern("runs", "list", "--db", "app.db", "--status", "paused", "--kind", "workflow");
    assert.match(
      listed.stdout,
      new RegExp(`${pausedDemoRun}\\s+workflow\\s+DualConfirmation\\s+paused`),
      "the run waits as it did",
    );
  });

  it("kern runs continue --module ./my-workflow.ts finishes a run the app's own program left paused", async () => {
    await install(app, ["tsx"]);
    writeFileSync(join(app, "start.ts"), START);
    const started = await run(process.execPath, ["--import", "tsx", "start.ts"], { cwd: app, env: appEnv() });
    assert.equal(started.code, 0, started.stderr);
    const { runId, status } = JSON.parse(started.stdout) as { runId: string; status: string };
    assert.equal(status, "paused");

    const { code, stdout, stderr } = await kern(
      "runs",
      "continue",
      runId,
      "--db",
      "app.db",
      "--module",
      "./my-workflow.ts",
      "--approve",
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Pause 1: step publish waits for your approval/);
    assert.match(stdout, /completed: Published v1\.2\.0/);
    assert.match(stdout, /completed · 1 pause answered/);
    assert.equal(readFileSync(join(app, "published.log"), "utf8"), "v1.2.0\n", "the step ran exactly once");
  });

  it("the README's TypeScript examples compile under tsc --strict against the installed types", async () => {
    // kern/server's examples need its peers, as a user of kern/server installs them; the AI SDK
    // example needs @ai-sdk/provider and @ai-sdk/openai, and @ai-sdk/provider's types (checked
    // here: skipLibCheck is off) import @types/json-schema.
    await install(app, [
      "hono",
      "@hono/node-server",
      "jose",
      "@ai-sdk/provider",
      "@ai-sdk/openai",
      "@types/json-schema",
      "@modelcontextprotocol/sdk",
      // "Scaling out" uses kern/db/postgres and kern/worker.
      "pg",
      "@types/pg",
      "pg-boss",
    ]);
    const blocks = readmeBlocks(join(root, "README.md")).filter((block) => block.skipped === null);
    assert.ok(blocks.length >= 6, `found ${blocks.length} blocks`);
    mkdirSync(join(app, "readme"), { recursive: true });
    for (const block of blocks) writeFileSync(join(app, "readme", `line-${block.line}.ts`), block.code);
    const compilerOptions = {
      strict: true,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      noEmit: true,
      types: ["node"],
      skipLibCheck: false,
    };
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions, include: ["readme/*.ts", "my-workflow.ts", "start.ts"] }),
    );
    const { code, stdout } = await run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: app,
      env: appEnv(),
    });
    // Errors name readme/line-<fence>.ts(<line>,<column>); point at the README line instead.
    const errors = stdout.replace(/readme\/line-(\d+)\.ts\((\d+),/g, (_, fence: string, line: string) => {
      const block = blocks.find((entry) => entry.line === Number(fence));
      return `README.md(${Number(fence) + Number(line) - (block?.offset ?? 0)},`;
    });
    assert.equal(code, 0, errors);
  });
});
