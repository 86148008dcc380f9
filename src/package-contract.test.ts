import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, { "kern-source"?: string; types?: string; import?: string } | string>;
};

/** SPEC sections 1 and 9: the names code outside this repo imports, per subpath (those built so far). */
const CONTRACT: Record<string, string[]> = {
  "kern/agent": ["Agent", "RunOutput", "RunRequirement", "ToolExecution"],
  "kern/tools": ["tool"],
  "kern/workflow": [
    "Workflow",
    "Step",
    "Steps",
    "Condition",
    "Router",
    "Loop",
    "Parallel",
    "StepInput",
    "StepOutput",
    "StepRequirement",
    "WorkflowRunOutput",
  ],
  "kern/db/sqlite": ["SqliteDb"],
  "kern/db/postgres": ["PostgresDb"],
  "kern/db/memory": ["InMemoryDb"],
  "kern/models/openai": ["OpenAIResponses", "OpenAIChat"],
  "kern/models/anthropic": ["Claude"],
  "kern/models/ai-sdk": ["AiSdkModel"],
  "kern/mcp": ["mcpTools"],
  "kern/channels": [
    "dispatchWebhooks",
    "startDispatcher",
    "webhookChannel",
    "verifyWebhookSignature",
    "checkDispatcher",
  ],
  "kern/testing": ["FakeModel", "text", "toolCall", "toolCalls", "error", "RecordingQueue"],
  "kern/worker": ["createWorker", "PgBossQueue"],
  "kern/server": ["createServer", "hashApiKey", "principalOf", "isAdmin", "issueDecisionLink"],
  kern: [
    "Agent",
    "RunOutput",
    "RunRequirement",
    "ToolExecution",
    "tool",
    "Workflow",
    "Step",
    "InMemoryDb",
    "KernError",
    "RunNotFoundError",
    "NotAuthorizedError",
    "verifyDecisionChain",
  ],
};

/** Follows relative imports from a source file and returns every bare package it imports. */
function packagesImportedBy(entry: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(entry)) return found;
  seen.add(entry);
  const source = readFileSync(entry, "utf8");
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
    const specifier = match[1] ?? "";
    const typeOnly = /^(?:import|export)\s+type\s/.test(match[0]);
    if (typeOnly) continue;
    if (specifier.startsWith(".")) {
      for (const name of packagesImportedBy(join(dirname(entry), specifier.replace(/\.js$/, ".ts")), seen))
        found.add(name);
    } else {
      found.add(specifier);
    }
  }
  return found;
}

describe("the public surface (SPEC section 1)", () => {
  for (const [subpath, names] of Object.entries(CONTRACT)) {
    it(`${subpath} exports ${names.join(", ")}`, async () => {
      const module = (await import(subpath)) as Record<string, unknown>;
      for (const name of names) assert.notEqual(module[name], undefined, `${subpath} is missing ${name}`);
    });
  }

  it("maps every subpath to its source and its built files", () => {
    for (const subpath of Object.keys(CONTRACT)) {
      const key = subpath === "kern" ? "." : `.${subpath.slice("kern".length)}`;
      const entry = packageJson.exports[key];
      assert.ok(typeof entry === "object", `package.json exports has no '${key}'`);
      assert.match(entry["import"] ?? "", /^\.\/dist\/.*\.js$/);
      assert.match(entry["types"] ?? "", /^\.\/dist\/.*\.d\.ts$/);
      assert.equal(entry["import"]?.replace("./dist/", "./src/").replace(/\.js$/, ".ts"), entry["kern-source"]);
    }
  });

  it("keeps the core free of provider SDKs and database drivers", () => {
    for (const entry of [
      "src/index.ts",
      "src/agent/index.ts",
      "src/tools/index.ts",
      "src/workflow/index.ts",
      "src/db/memory/index.ts",
      "src/testing/index.ts",
    ]) {
      const packages = [...packagesImportedBy(join(root, entry))].filter((name) => !name.startsWith("node:"));
      assert.deepEqual(
        packages.filter((name) => name !== "zod"),
        [],
        `${entry} loads ${packages.join(", ")}`,
      );
    }
    // The walker itself must see the adapters' packages, or the check above proves nothing.
    assert.ok(packagesImportedBy(join(root, "src/models/openai/index.ts")).has("openai"));
    assert.ok(packagesImportedBy(join(root, "src/models/anthropic/index.ts")).has("@anthropic-ai/sdk"));
    assert.ok(packagesImportedBy(join(root, "src/models/ai-sdk/index.ts")).has("@ai-sdk/provider"));
    assert.ok(packagesImportedBy(join(root, "src/db/sqlite/index.ts")).has("better-sqlite3"));
    assert.ok(packagesImportedBy(join(root, "src/db/postgres/index.ts")).has("pg"));
    assert.ok(packagesImportedBy(join(root, "src/server/index.ts")).has("hono"));
    assert.ok(packagesImportedBy(join(root, "src/worker/index.ts")).has("pg-boss"));
    assert.ok(packagesImportedBy(join(root, "src/mcp/index.ts")).has("@modelcontextprotocol/sdk/validation/ajv"));
  });

  it("gives every error a stable code and its class name", async () => {
    const kern = await import("kern");
    const samples: Error[] = [
      new kern.ConfigurationError("bad option"),
      new kern.ModelError("provider failed", { provider: "openai", status: 500 }),
      new kern.MaxTurnsExceededError("AlertAgent", 10),
      new kern.RunNotFoundError("run", "session"),
      new kern.RunNotPausedError("run", "completed"),
      new kern.RunAlreadyClaimedError("run"),
      new kern.UnresolvedRequirementError([{ requirementId: "r", description: "d", needs: "n", accepts: "a" }]),
      new kern.RequirementResolvedError("r", "it was confirmed"),
      new kern.InvalidResolutionError("r", "wrong method"),
      new kern.StateVersionError(9, 1),
      new kern.StateCorruptError("corrupt"),
      new kern.StoreError("store failed"),
      new kern.StoreTimeoutError("store timed out"),
      new kern.ClaimLostError("agent run", "run", "its lease lapsed"),
      new kern.DefinitionChangedError("run", "a", "b", "Run 'run' was paused under another definition."),
      new kern.InvalidInputError("sessionId", "bad id"),
      new kern.StepFailedError("step", "boom"),
      new kern.NotAuthorizedError("r", "alice", "only finance may decide it"),
    ];
    const exported = Object.entries(kern).filter(
      ([, value]) => typeof value === "function" && value.prototype instanceof kern.KernError,
    );
    assert.deepEqual(
      samples.map((error) => error.constructor.name).sort(),
      exported.map(([name]) => name).sort(),
      "every exported error class is checked",
    );
    const codes = new Set<string>();
    for (const error of samples) {
      assert.ok(error instanceof kern.KernError);
      assert.equal(error.name, error.constructor.name);
      const code = (error as InstanceType<typeof kern.KernError>).code;
      assert.match(code, /^KERN_[A-Z_]+$/);
      codes.add(code);
    }
    assert.equal(codes.size, samples.length, "each error class has its own code");
  });
});
