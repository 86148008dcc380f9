// One bad row must never strand the others. A process starts 52 runs that hang inside a step and
// 52 that pause at a gate with a short timeout, and is SIGKILLed: 52 runs are left claimed by a
// dead process, 52 are past their deadline. Then two of each are spoiled: one with corrupt JSON,
// one as a newer kern (rolling upgrade) would write it. recover(), expirePausedRuns() and a
// server's start() must handle the 50 crashed and 50 expired others, report the bad ones, and
// leave those untouched.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunRecord, SkippedRun } from "kern";
import { createServer } from "kern/server";
import { BATCH_LEASE_MS, batchWorkflow } from "./bad-rows-child.test-helper.js";
import { createTestStore, STORE_KINDS, type TestStore, within } from "./stores.test-helper.js";

const childScript = new URL("./bad-rows-child.test-helper.ts", import.meta.url).pathname;
/** Runs of each kind, two of which are spoiled: 50 good ones remain of each. */
const EACH = 52;

/** Starts the runs in a child process and SIGKILLs it once they are stored, leases unexpired. */
async function crashedAndPausedRuns(store: TestStore): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=kern-source",
      "--import",
      "tsx",
      childScript,
      JSON.stringify(store.config.store),
      String(EACH),
      String(EACH),
    ],
    {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const [line] = (await within(once(lines, "line"), 60_000, "the child storing its runs")) as [string];
  assert.equal(line, "ready");
  child.kill("SIGKILL");
  await once(child, "exit");
}

/** Spoils one run of `status` with corrupt JSON and one as a newer kern would store it. */
async function spoil(store: TestStore, status: "running" | "paused"): Promise<RunRecord[]> {
  const [first, second] = await store.db.listRuns({ kind: "workflow", status, limit: 2 });
  assert.ok(first !== undefined && second !== undefined);
  const spoiled: RunRecord[] = [];
  for (const [summary, state] of [
    [first, "{ not json"],
    [second, null],
  ] as const) {
    const record = await store.db.getRun("workflow", summary.runId);
    assert.ok(record !== null);
    const newer =
      state ?? JSON.stringify({ ...(JSON.parse(record.state) as object), schemaVersion: 99, fieldOfTheFuture: true });
    const next = { ...record, revision: record.revision + 1, state: newer };
    assert.equal(await store.db.updateRun(next, record.revision), true);
    spoiled.push(next);
  }
  return spoiled;
}

function checkReport(skipped: readonly SkippedRun[], spoiled: readonly RunRecord[]): void {
  assert.deepEqual(
    skipped.map((row) => [row.runId, row.code]).sort(),
    [
      [spoiled[0]?.runId, "KERN_STATE_CORRUPT"],
      [spoiled[1]?.runId, "KERN_STATE_VERSION"],
    ].sort(),
    "both bad rows are reported, with the reason",
  );
}

async function checkUntouched(store: TestStore, spoiled: readonly RunRecord[]): Promise<void> {
  for (const record of spoiled)
    assert.deepEqual(await store.db.getRun("workflow", record.runId), record, `run ${record.runId} was left as it is`);
}

async function count(store: TestStore, status: "running" | "paused" | "completed"): Promise<number> {
  return (await store.db.listRuns({ kind: "workflow", status, limit: 1000 })).length;
}

for (const { kind, skip } of STORE_KINDS) {
  describe(`bad rows among ${EACH - 2} crashed and ${EACH - 2} expired runs (${kind})`, { skip }, () => {
    it("recover() and expirePausedRuns() handle every other run and report the bad ones", {
      timeout: 120_000,
    }, async (t) => {
      const store = await createTestStore(kind, "bad-rows");
      t.after(() => store.dispose());
      await crashedAndPausedRuns(store);
      const spoiledRunning = await spoil(store, "running");
      const spoiledPaused = await spoil(store, "paused");
      const workflow = batchWorkflow(store.db);

      // A clock past every lease and deadline, rather than waiting for them to pass.
      const recovery = await workflow.recover({ now: Date.now() + 60_000 });
      assert.equal(recovery.workflowRuns.length, EACH - 2, "every other crashed run was recovered");
      assert.ok(
        recovery.workflowRuns.every((run) => run.uncertainSteps.length === 1 && run.needsDecision),
        "each asks whether its started step ran",
      );
      checkReport(recovery.skipped, spoiledRunning);

      const sweep = await workflow.expirePausedRuns(Date.now() + 60_000);
      assert.equal(sweep.moved, EACH - 2, "every other expired run was moved on");
      checkReport(sweep.skipped, spoiledPaused);
      assert.equal(await count(store, "completed"), EACH - 2);
      await checkUntouched(store, [...spoiledRunning, ...spoiledPaused]);
    });

    it("a server's start() recovers and sweeps every other run, and reports the bad ones", {
      timeout: 120_000,
    }, async (t) => {
      const store = await createTestStore(kind, "bad-rows-start");
      t.after(() => store.dispose());
      await crashedAndPausedRuns(store);
      const spoiledRunning = await spoil(store, "running");
      const spoiledPaused = await spoil(store, "paused");
      // start() recovers on the real clock (createServer() takes no clock): let the leases expire.
      await sleep(BATCH_LEASE_MS + 100);
      const logged: string[] = [];
      const server = createServer({
        workflows: [batchWorkflow(store.db)],
        sweepIntervalMs: 50,
        log: (line) => logged.push(line),
      });
      const started = await server.start({ port: 0 });
      t.after(() => started.close());
      assert.equal(started.recovery.runs.length, EACH - 2);
      checkReport(started.recovery.skipped, spoiledRunning);
      const deadline = Date.now() + 30_000;
      while ((await count(store, "completed")) < EACH - 2) {
        assert.ok(Date.now() < deadline, "the server's sweep moved every expired run on");
        await sleep(50);
      }
      for (const record of [...spoiledRunning, ...spoiledPaused]) {
        assert.ok(
          logged.some((line) => line.includes(record.runId)),
          `the server logged bad run ${record.runId}`,
        );
      }
      await checkUntouched(store, [...spoiledRunning, ...spoiledPaused]);
    });
  });
}
