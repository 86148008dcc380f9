// Eight OS processes continue the same 200 paused runs at once, each in its own random order.
// Every approved tool call must run exactly once (no duplicate, none lost), every run must
// complete, and every attempt but the winner's must fail with RunAlreadyClaimedError (it lost the
// compare-and-set) or RunNotPausedError (it loaded the run after the winner claimed it).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AGENT_NAME, loggedExecutions } from "./fixture.test-helper.js";
import type { Outcome } from "./protocol.test-helper.js";
import {
  chooseSeed,
  createApprovedRuns,
  createTestStore,
  STORE_KINDS,
  seededRandom,
  shuffled,
} from "./stores.test-helper.js";
import { WorkerProcess } from "./worker-process.test-helper.js";

const WORKERS = 8;
const RUNS = 200;
/** Attempts each worker has in flight at once. */
const CONCURRENCY = 6;
/**
 * Runs every worker loads before any may claim them (a file barrier in the workers' Db hook), so
 * losing the compare-and-set itself happens on every run, whatever the scheduling: for each of
 * these, exactly WORKERS - 1 attempts must end in RunAlreadyClaimedError.
 */
const HOT_RUNS = 3;
const seed = chooseSeed();

// Starting a worker costs a second or more, so the same eight serve both stores.
let workers: WorkerProcess[] = [];
before(() => {
  workers = Array.from({ length: WORKERS }, () => new WorkerProcess());
});
after(() => Promise.all(workers.map((worker) => worker.stop())));

interface Tally {
  winners: Map<string, number[]>;
  claimLosers: Map<string, number>;
  notPaused: Map<string, number>;
  unexpected: string[];
}

function tally(outcomesByWorker: ReadonlyMap<number, Outcome[]>): Tally {
  const result: Tally = { winners: new Map(), claimLosers: new Map(), notPaused: new Map(), unexpected: [] };
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  for (const [pid, outcomes] of outcomesByWorker) {
    for (const outcome of outcomes) {
      switch (outcome.outcome) {
        case "completed":
          result.winners.set(outcome.runId, [...(result.winners.get(outcome.runId) ?? []), pid]);
          break;
        case "RunAlreadyClaimedError":
          bump(result.claimLosers, outcome.runId);
          break;
        case "RunNotPausedError":
          if (outcome.status === "running" || outcome.status === "completed") bump(result.notPaused, outcome.status);
          else result.unexpected.push(`${outcome.runId}: RunNotPausedError with status ${outcome.status ?? "none"}`);
          break;
        case "ClaimLostError":
        case "unexpected":
          result.unexpected.push(`${outcome.runId}: ${outcome.outcome} ${outcome.detail ?? outcome.status ?? "?"}`);
          break;
        default: {
          const unreachable: never = outcome.outcome;
          throw new Error(`unknown outcome ${String(unreachable)}`);
        }
      }
    }
  }
  return result;
}

const sum = (values: Iterable<number>): number => [...values].reduce((total, value) => total + value, 0);

for (const { kind, skip } of STORE_KINDS) {
  describe(`${WORKERS} processes race to continue the same ${RUNS} paused runs (${kind})`, { skip }, () => {
    it("runs every approved tool exactly once, completes every run, and the losers get RunAlreadyClaimedError", {
      timeout: 120_000,
    }, async (t) => {
      const startedAt = Date.now();
      t.diagnostic(`seed ${seed} (KERN_EXACTLY_ONCE_SEED=${seed} replays the same orders and barrier runs)`);
      const store = await createTestStore(kind, "race");
      t.after(() => store.dispose());
      const runs = await createApprovedRuns(store, RUNS);
      await Promise.all(workers.map(async (worker) => (await worker.ready(60_000)).open(store.config, 30_000)));
      const readyAt = Date.now();

      const random = seededRandom(seed + (kind === "sqlite" ? 0 : 1));
      const hot = {
        runIds: shuffled(runs, random)
          .slice(0, HOT_RUNS)
          .map((run) => run.runId),
        barrierDir: join(store.directory, "barriers"),
        parties: WORKERS,
      };
      mkdirSync(hot.barrierDir);
      const goAt = Date.now() + 300;
      for (const worker of workers)
        worker.send({ op: "race", runs: shuffled(runs, random), concurrency: CONCURRENCY, goAt, hot });
      const outcomesByWorker = new Map<number, Outcome[]>();
      for (const worker of workers) {
        const message = await worker.receive(90_000, "race outcomes");
        assert.equal(message.type, "raced", `worker ${worker.pid}: ${JSON.stringify(message)}`);
        if (message.type === "raced") outcomesByWorker.set(worker.pid, message.outcomes);
      }
      const racedAt = Date.now();

      const executions = loggedExecutions(store.config.logFile);
      const perRun = new Map<string, number[]>();
      for (const { runId, pid } of executions) perRun.set(runId, [...(perRun.get(runId) ?? []), pid]);
      const duplicates = [...perRun].filter(([, pids]) => pids.length > 1);
      const lost = runs.filter((run) => !perRun.has(run.runId));
      assert.deepEqual(duplicates, [], "no approved tool call ran twice");
      assert.deepEqual(
        lost.map((run) => run.runId),
        [],
        "no approved tool call was lost",
      );
      assert.equal(executions.length, RUNS);
      const counts = tally(outcomesByWorker);
      assert.deepEqual(counts.unexpected, [], "every attempt completes the run or fails with a claim error");
      assert.equal(
        sum([...outcomesByWorker.values()].map((outcomes) => outcomes.length)),
        WORKERS * RUNS,
        "every worker tried every run",
      );
      for (const run of runs) {
        const winners = counts.winners.get(run.runId) ?? [];
        assert.equal(winners.length, 1, `run ${run.runId} was completed by ${winners.length} workers`);
        assert.deepEqual(
          perRun.get(run.runId),
          winners,
          `run ${run.runId}: the tool ran in the process that won the claim`,
        );
      }
      for (const runId of hot.runIds) {
        assert.equal(
          counts.claimLosers.get(runId),
          WORKERS - 1,
          `hot run ${runId}: every worker but the winner lost the compare-and-set`,
        );
      }
      const claimLosers = sum(counts.claimLosers.values());
      const notPaused = sum(counts.notPaused.values());
      assert.equal(claimLosers + notPaused, (WORKERS - 1) * RUNS, "every other attempt failed with a claim error");

      const completed = await store.db.listRuns({
        kind: "agent",
        ownerId: AGENT_NAME,
        status: "completed",
        limit: RUNS + 1,
      });
      assert.equal(completed.length, RUNS, "every run is stored as completed");
      assert.deepEqual(await store.db.listRuns({ kind: "agent", ownerId: AGENT_NAME, status: "running" }), []);
      assert.deepEqual(await store.db.listRuns({ kind: "agent", ownerId: AGENT_NAME, status: "paused" }), []);
      assert.deepEqual(await store.db.listPendingRequirements({ ownerId: AGENT_NAME }), []);

      t.diagnostic(
        `${RUNS} runs, ${WORKERS} workers x ${CONCURRENCY} in flight: ${counts.winners.size} winners, ${executions.length} executions ` +
          `(0 duplicates, 0 lost); losers: ${claimLosers} RunAlreadyClaimedError (${(WORKERS - 1) * HOT_RUNS} on the ${HOT_RUNS} barrier runs), ` +
          `${notPaused} RunNotPausedError (running: ${counts.notPaused.get("running") ?? 0}, completed: ${counts.notPaused.get("completed") ?? 0})`,
      );
      t.diagnostic(
        `timing: set-up ${readyAt - startedAt} ms (runs created, workers started or reused), race ${racedAt - readyAt} ms`,
      );
    });
  });
}
