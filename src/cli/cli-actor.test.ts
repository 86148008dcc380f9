import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { SqliteDb } from "../db/sqlite/index.js";
import type { Workflow } from "../workflow/index.js";
import { kern, root } from "./cli.test-helper.js";

describe("kern runs continue --as: who decides from the terminal", () => {
  let directory: string;
  let modulePath: string;

  before(() => {
    // Inside the repository (.tmp/ is ignored by git), so the module imports "kern/workflow" as a user's does.
    mkdirSync(join(root, ".tmp"), { recursive: true });
    directory = mkdtempSync(join(root, ".tmp", "cli-actor-"));
    modulePath = join(directory, "governed-release.ts");
    writeFileSync(
      modulePath,
      `import { Step, Workflow } from "kern/workflow";
export function build({ db }) {
  const publish = new Step({
    name: "publish",
    requiresConfirmation: true,
    confirmationMessage: "Publish the release?",
    approvers: ["release-manager"],
    executor: (input) => "Published: " + input.input,
  });
  return { workflow: new Workflow({ name: "GovernedRelease", db, steps: [publish] }) };
}
`,
    );
  });

  after(() => rmSync(directory, { recursive: true, force: true }));

  /** A run of the module's workflow, paused at its governed gate, in a new SQLite file. */
  async function pausedRun(name: string): Promise<{ dbFile: string; runId: string }> {
    const dbFile = join(directory, `${name}.db`);
    const db = new SqliteDb({ dbFile });
    try {
      const { build } = (await import(pathToFileURL(modulePath).href)) as {
        build: (deps: { db: SqliteDb }) => { workflow: Workflow };
      };
      const run = await build({ db }).workflow.run("v2.0");
      assert.equal(run.isPaused, true);
      return { dbFile, runId: run.runId };
    } finally {
      await db.close();
    }
  }

  it("refuses to approve a gate with approvers without --as, and records the --as principal when it may", {
    timeout: 120_000,
  }, async () => {
    const { dbFile, runId } = await pausedRun("governed");
    const base = ["runs", "continue", runId, "--db", dbFile, "--module", modulePath, "--approve"];
    const anonymous = await kern(base);
    assert.equal(anonymous.code, 1, anonymous.stdout + anonymous.stderr);
    assert.match(anonymous.stdout + anonymous.stderr, /may not decide requirement .*needs an actor/);
    const wrongRole = await kern([...base, "--as", "dev", "--role", "developer"]);
    assert.equal(wrongRole.code, 1);
    assert.match(
      wrongRole.stdout + wrongRole.stderr,
      /Principal 'dev' may not decide .*only release-manager may decide it/,
    );
    const allowed = await kern([...base, "--as", "rita", "--role", "release-manager"]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    const db = new SqliteDb({ dbFile });
    try {
      const entries = await db.listDecisions({ runId });
      assert.deepEqual(
        entries.map((entry) => [entry.actorId, entry.actorRoles, entry.automatic]),
        [["rita", ["release-manager"], false]],
      );
    } finally {
      await db.close();
    }
  });

  it("refuses --role without --as, as a usage error", async () => {
    const { dbFile, runId } = await pausedRun("usage");
    const { code, stderr } = await kern([
      "runs",
      "continue",
      runId,
      "--db",
      dbFile,
      "--module",
      modulePath,
      "--approve",
      "--role",
      "x",
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /--role names a role of the --as principal; pass --as <id> too\./);
  });
});
