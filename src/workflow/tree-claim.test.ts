import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Db, RunWrite } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { StoreError } from "../errors.js";
import { text } from "../testing/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, gatedAgent } from "./workflow.test-helper.js";

const directory = mkdtempSync(join(tmpdir(), "kern-tree-claim-"));
after(() => rmSync(directory, { recursive: true, force: true }));

/**
 * A workflow whose step agent pauses on its gated tool, as each process builds it: the one that
 * starts the run (its model asks for the tool), or one that continues it (its model answers).
 */
function build(db: Db, counter: Counter, leg: "start" | "continue" = "continue"): Workflow {
  const script = leg === "start" ? undefined : [text("AlertAgent finished")];
  const { agent } = gatedAgent("AlertAgent", counter, db, script);
  return new Workflow({ name: "alerts", db, steps: [new Step({ name: "send_alert", agent })] });
}

/** `db` with its writeRuns replaced (a store that fails one kind of write). */
function withWriteRuns(db: Db, writeRuns: Db["writeRuns"]): Db {
  return new Proxy(db, {
    get(target, property) {
      if (property === "writeRuns") return writeRuns;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The stored status and revision of the workflow run and its step agent's run. */
async function stored(db: Db, workflowRunId: string, agentRunId: string): Promise<string[]> {
  const runs = [await db.getRun("workflow", workflowRunId), await db.getRun("agent", agentRunId)];
  return runs.map((run) => `${run?.kind}:${run?.status}@${run?.revision}`);
}

const stores: Array<[string, () => Db]> = [
  ["InMemoryDb", () => new InMemoryDb()],
  ["SqliteDb", () => new SqliteDb({ dbFile: join(directory, `${Math.random().toString(36).slice(2)}.db`) })],
];

for (const [name, open] of stores) {
  describe(`a workflow continue that claims its step agent's run with its own (${name})`, () => {
    it("lets one of two racing continues claim both runs, and the approved tool runs once", async () => {
      for (let round = 0; round < 10; round += 1) {
        const db = open();
        const counter = new Counter();
        const paused = await build(db, counter, "start").run("alert");
        approve(paused);
        // Two workflows over one store: two processes, each with the same decisions.
        const outcomes = await Promise.allSettled([
          build(db, counter).continueRun(paused),
          build(db, counter).continueRun(paused),
        ]);
        const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
        const lost = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
        assert.equal(won.length, 1, `round ${round}: exactly one continue won`);
        assert.deepEqual(
          lost.map((error: Error) => error.name),
          ["RunAlreadyClaimedError"],
        );
        assert.equal(won[0]?.status === "fulfilled" ? won[0].value.status : "", "completed");
        assert.equal(counter.of("AlertAgent_tool"), 1, `round ${round}: the tool ran once`);
        await db.close();
      }
    });

    it("stores neither claim when the write that claims both fails, and a later continue runs the tool once", async () => {
      const db = open();
      const counter = new Counter();
      const paused = await build(db, counter, "start").run("alert");
      const agentRunId = paused.toJSON().executorRuns[0]?.runId ?? "";
      const before = await stored(db, paused.runId, agentRunId);
      assert.deepEqual(before, ["workflow:paused@2", "agent:paused@1"]);
      approve(paused);
      const failing = withWriteRuns(db, async (writes: readonly RunWrite[]) => {
        if (writes.length === 2) throw new StoreError("the store went away");
        return db.writeRuns(writes);
      });
      await assert.rejects(build(failing, counter).continueRun(paused), /the store went away/);
      assert.deepEqual(await stored(db, paused.runId, agentRunId), before, "nothing was claimed");
      assert.equal(counter.of("AlertAgent_tool"), 0);
      const done = await build(db, counter).continueRun(paused);
      assert.equal(done.status, "completed");
      assert.equal(counter.of("AlertAgent_tool"), 1);
      assert.deepEqual(await stored(db, paused.runId, agentRunId), ["workflow:completed@4", "agent:completed@4"]);
      await db.close();
    });
  });
}
