// A changed definition never gets an approval it was not given. Process A starts a payment and
// leaves it paused at 'charge'; later processes run newer code: v2 swapped the steps (an approval
// for 'charge' would now run 'refund'), v3 added a step at the end. Real processes, SQLite and
// PostgreSQL: each continue is a new process that loads the run by id.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { createTestStore, STORE_KINDS, type TestStore } from "./stores.test-helper.js";

const childScript = new URL("./definition-child.test-helper.ts", import.meta.url).pathname;
const run = promisify(execFile);

type Answer =
  | { ok: true; runId?: string; sessionId?: string; status?: string; pausedAt?: string | null; fingerprint: string }
  | { ok: false; name: string; message: string };

async function child(store: TestStore, ...args: string[]): Promise<Answer> {
  const { stdout } = await run(
    process.execPath,
    [
      "--conditions=kern-source",
      "--import",
      "tsx",
      childScript,
      JSON.stringify(store.config.store),
      store.config.logFile,
      ...args,
    ],
    {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Answer;
}

function ran(store: TestStore, runId: string): string[] {
  if (!existsSync(store.config.logFile)) return [];
  return readFileSync(store.config.logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes(` ${runId} `))
    .map((line) => line.split(" ")[0] ?? "");
}

async function startPayment(store: TestStore): Promise<{ runId: string; sessionId: string }> {
  const started = await child(store, "v1", "start");
  assert.ok(started.ok && started.pausedAt === "charge", JSON.stringify(started));
  return { runId: started.runId ?? "", sessionId: started.sessionId ?? "" };
}

for (const { kind, skip } of STORE_KINDS) {
  describe(`a paused run continued by a process with changed code (${kind})`, { skip }, () => {
    it("refuses a reordered definition, even when a changed definition is allowed, and continues under the registered old one", {
      timeout: 60_000,
    }, async (t) => {
      const store = await createTestStore(kind, "definition");
      t.after(() => store.dispose());
      const { runId, sessionId } = await startPayment(store);
      const before = await store.db.getRun("workflow", runId);

      const refused = await child(store, "v2", "continue", runId, sessionId);
      assert.equal(refused.ok ? "continued" : refused.name, "DefinitionChangedError");
      assert.deepEqual(await store.db.getRun("workflow", runId), before, "the stored run is unchanged");

      const stillRefused = await child(store, "v2", "continue", runId, sessionId, "allow");
      assert.equal(stillRefused.ok ? "continued" : stillRefused.name, "DefinitionChangedError");
      assert.match(stillRefused.ok ? "" : stillRefused.message, /Step 'charge' .* is now Step 'refund'/);
      assert.deepEqual(await store.db.getRun("workflow", runId), before, "the stored run is unchanged");
      assert.deepEqual(ran(store, runId), [], "nothing ran");

      const served = await child(store, "v2+v1", "continue", runId, sessionId);
      assert.ok(served.ok, JSON.stringify(served));
      assert.equal(served.pausedAt, "refund", "the old definition served its run: charge ran, refund asks next");
      assert.deepEqual(ran(store, runId), ["charge"]);
    });

    it("continues under a compatible new definition only with the opt-in, recording the new fingerprint", {
      timeout: 60_000,
    }, async (t) => {
      const store = await createTestStore(kind, "definition");
      t.after(() => store.dispose());
      const { runId, sessionId } = await startPayment(store);
      const refused = await child(store, "v3", "continue", runId, sessionId);
      assert.equal(refused.ok ? "continued" : refused.name, "DefinitionChangedError");
      const allowed = await child(store, "v3", "continue", runId, sessionId, "allow");
      assert.ok(allowed.ok && allowed.pausedAt === "refund", JSON.stringify(allowed));
      assert.deepEqual(ran(store, runId), ["charge"]);
      const stored = JSON.parse((await store.db.getRun("workflow", runId))?.state ?? "{}") as { fingerprint?: string };
      assert.equal(stored.fingerprint, allowed.fingerprint, "the run now belongs to the new definition");
      const next = await child(store, "v3", "continue", runId, sessionId);
      assert.ok(next.ok && next.status === "completed", JSON.stringify(next));
      assert.deepEqual(ran(store, runId), ["charge", "refund"]);
    });
  });
}
