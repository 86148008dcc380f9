import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SqliteDb } from "../db/sqlite/index.js";
import { activeLabels, approveAt, fanOut, notifyScript } from "./parallel.test-helper.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

const ROUNDS = 10;
const directory = mkdtempSync(join(tmpdir(), "kern-parallel-race-"));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Two "processes": each its own SqliteDb connection on one file, and its own workflow object. */
function twoProcesses(name: string) {
  const dbFile = join(directory, `${name}.db`);
  const script = notifyScript(4 * ROUNDS);
  return [
    fanOut({ db: new SqliteDb({ dbFile }), script }),
    fanOut({ db: new SqliteDb({ dbFile }), script: [...script] }),
  ] as const;
}

/** Loads the run, approves the branch at `stepName`, and continues, the way a person's process would. */
async function decide(process: ReturnType<typeof fanOut>, ids: { runId: string; sessionId: string }, stepName: string) {
  const run = await process.workflow.getRunOutput(ids.runId, ids.sessionId);
  approveAt(run, stepName);
  return process.workflow.continueRun(run);
}

/**
 * Checks each loser lost the claim itself: both processes loaded the paused run before either
 * claimed it, so the race was real (a loser arriving after the winner would see it running).
 */
function assertClaimLost(results: readonly PromiseSettledResult<unknown>[], label: string): void {
  const losers = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
  assert.deepEqual(
    losers.map((error: unknown) => (error instanceof Error ? error.name : String(error))),
    ["RunAlreadyClaimedError"],
    label,
  );
}

describe("concurrent continues of a run paused in Parallel branches", () => {
  it(`claim the run once: two processes deciding different branches at once, ${ROUNDS} times over`, async () => {
    const [first, second] = twoProcesses("different");
    const total = (name: string): number => first.counter.of(name) + second.counter.of(name);
    for (let round = 0; round < ROUNDS; round += 1) {
      const start = await first.workflow.run(`round ${round}`);
      const ids = { runId: start.runId, sessionId: start.sessionId };
      const results = await Promise.allSettled([decide(first, ids, "approve"), decide(second, ids, "notify")]);
      const winners = results.filter((result) => result.status === "fulfilled");
      assert.equal(winners.length, 1, `round ${round}: exactly one continue claims the run`);
      assertClaimLost(results, `round ${round}`);
      // The loser decided nothing: it loads the run again and decides its branch once more.
      const loser = results[0].status === "rejected" ? ([first, "approve"] as const) : ([second, "notify"] as const);
      const done: WorkflowRunOutput = await decide(loser[0], ids, loser[1]);
      assert.deepEqual([done.status, activeLabels(done)], ["completed", []], `round ${round}`);
      assert.deepEqual(
        ["approve", "notify_tool", "audit"].map(total),
        [round + 1, round + 1, round + 1],
        `round ${round}: every branch's side effect ran exactly once`,
      );
    }
    await Promise.all([first.db.close(), second.db.close()]);
  });

  it(`run an approved tool once when two processes decide the same branch at once, ${ROUNDS} times over`, async () => {
    const [first, second] = twoProcesses("same");
    const total = (name: string): number => first.counter.of(name) + second.counter.of(name);
    for (let round = 0; round < ROUNDS; round += 1) {
      const start = await first.workflow.run(`round ${round}`);
      const ids = { runId: start.runId, sessionId: start.sessionId };
      const results = await Promise.allSettled([decide(first, ids, "notify"), decide(second, ids, "notify")]);
      assert.equal(results.filter((result) => result.status === "fulfilled").length, 1, `round ${round}`);
      assertClaimLost(results, `round ${round}`);
      assert.equal(total("notify_tool"), round + 1, `round ${round}: the tool ran exactly once`);
      const stored = await second.workflow.getRunOutput(ids.runId, ids.sessionId);
      assert.deepEqual(activeLabels(stored), ["confirmation:fan_out/approve"]);
    }
    await Promise.all([first.db.close(), second.db.close()]);
  });
});
