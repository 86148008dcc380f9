// Eight OS processes continue the same 300 paused runs at once, each in its own random order:
// plain agent runs, agent runs paused inside the sub-agent they called as a tool, and workflow
// runs paused in both branches of a Parallel (one branch's agent calling the gated tool itself,
// the other through a sub-agent). Every approved tool call must run exactly once (no duplicate,
// none lost: each execution is a line its process appended to a log), every run must complete,
// and every attempt but the winner's must fail with RunAlreadyClaimedError (it lost the
// compare-and-set) or RunNotPausedError (it loaded the run after the winner claimed it).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AGENT_NAME, loggedExecutions } from "./fixture.test-helper.js";
import { COORDINATOR_NAME, type RunShape, WORKFLOW_NAME } from "./nested-fixture.test-helper.js";
import type { Outcome } from "./protocol.test-helper.js";
import {
  chooseSeed,
  createRaceRuns,
  createTestStore,
  type RaceRun,
  STORE_KINDS,
  seededRandom,
  shuffled,
} from "./stores.test-helper.js";
import { WorkerProcess } from "./worker-process.test-helper.js";

const WORKERS = 8;
/** How many paused runs of each shape the workers race over (300 in all, 350 approved calls). */
const SHAPES: Readonly<Record<RunShape, number>> = { agent: 200, subAgent: 50, parallel: 50 };
const RUNS = SHAPES.agent + SHAPES.subAgent + SHAPES.parallel;
/** Attempts each worker has in flight at once. */
const CONCURRENCY = 6;
/**
 * Runs every worker loads before any may claim them (a file barrier in the workers' Db hook), so
 * losing the compare-and-set itself happens on every run, whatever the scheduling: for each of
 * these, exactly WORKERS - 1 attempts must end in RunAlreadyClaimedError. One of each shape.
 */
const HOT_RUNS = 3;

/** One hot run of each shape, picked at random. */
function hotRuns(runs: readonly RaceRun[], random: () => number): string[] {
  const shapes: RunShape[] = ["agent", "subAgent", "parallel"];
  return shapes
    .flatMap((shape) =>
      shuffled(
        runs.filter((run) => run.shape === shape),
        random,
      ).slice(0, 1),
    )
    .map((run) => run.runId);
}

/** Where each shape's runs are stored, to read their final status back. */
const OWNERS: ReadonlyArray<{ kind: "agent" | "workflow"; ownerId: string; shape: RunShape }> = [
  { kind: "agent", ownerId: AGENT_NAME, shape: "agent" },
  { kind: "agent", ownerId: COORDINATOR_NAME, shape: "subAgent" },
  { kind: "workflow", ownerId: WORKFLOW_NAME, shape: "parallel" },
];
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
      const runs = await createRaceRuns(store, SHAPES);
      await Promise.all(workers.map(async (worker) => (await worker.ready(60_000)).open(store.config, 30_000)));
      const readyAt = Date.now();

      const random = seededRandom(seed + (kind === "sqlite" ? 0 : 1));
      const hot = { runIds: hotRuns(runs, random), barrierDir: join(store.directory, "barriers"), parties: WORKERS };
      assert.equal(hot.runIds.length, HOT_RUNS);
      mkdirSync(hot.barrierDir);
      const goAt = Date.now() + 300;
      for (const worker of workers) {
        const order = shuffled(runs, random).map(({ cities: _cities, ...run }) => run);
        worker.send({ op: "race", runs: order, concurrency: CONCURRENCY, goAt, hot });
      }
      const outcomesByWorker = new Map<number, Outcome[]>();
      for (const worker of workers) {
        const message = await worker.receive(90_000, "race outcomes");
        assert.equal(message.type, "raced", `worker ${worker.pid}: ${JSON.stringify(message)}`);
        if (message.type === "raced") outcomesByWorker.set(worker.pid, message.outcomes);
      }
      const racedAt = Date.now();

      // Counted from the log each execution appended in its own process, by the city it alerted:
      // every approved call has a city of its own (a fan-out run's two branches, "<city> A" and "B").
      const executions = loggedExecutions(store.config.logFile);
      const perCity = new Map<string, number[]>();
      for (const { city, pid } of executions) perCity.set(city, [...(perCity.get(city) ?? []), pid]);
      const cities = runs.flatMap((run) => run.cities);
      const duplicates = [...perCity].filter(([, pids]) => pids.length > 1);
      const lost = cities.filter((city) => !perCity.has(city));
      assert.deepEqual(duplicates, [], "no approved tool call ran twice");
      assert.deepEqual(lost, [], "no approved tool call was lost");
      assert.equal(executions.length, cities.length);
      assert.equal(cities.length, SHAPES.agent + SHAPES.subAgent + 2 * SHAPES.parallel);
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
          run.cities.flatMap((city) => perCity.get(city) ?? []),
          run.cities.map(() => winners[0]),
          `${run.shape} run ${run.runId}: every approved call ran in the process that won the claim`,
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

      for (const { kind: runKind, ownerId, shape } of OWNERS) {
        const completed = await store.db.listRuns({ kind: runKind, ownerId, status: "completed", limit: RUNS + 1 });
        assert.equal(completed.length, SHAPES[shape], `every ${shape} run is stored as completed`);
        assert.deepEqual(await store.db.listRuns({ kind: runKind, ownerId, status: "running" }), []);
        assert.deepEqual(await store.db.listRuns({ kind: runKind, ownerId, status: "paused" }), []);
      }
      // The fan-out's step agents finished with their workflow runs; nothing waits anywhere.
      assert.deepEqual(await store.db.listRuns({ status: "paused" }), []);
      assert.deepEqual(await store.db.listRuns({ status: "running" }), []);
      assert.deepEqual(await store.db.listPendingRequirements({}), []);

      t.diagnostic(
        `${RUNS} runs (${SHAPES.agent} agent, ${SHAPES.subAgent} paused in a sub-agent, ${SHAPES.parallel} paused in two Parallel branches), ` +
          `${WORKERS} workers x ${CONCURRENCY} in flight: ${counts.winners.size} winners, ${executions.length} executions ` +
          `(0 duplicates, 0 lost); losers: ${claimLosers} RunAlreadyClaimedError (${(WORKERS - 1) * HOT_RUNS} on the ${HOT_RUNS} barrier runs), ` +
          `${notPaused} RunNotPausedError (running: ${counts.notPaused.get("running") ?? 0}, completed: ${counts.notPaused.get("completed") ?? 0})`,
      );
      t.diagnostic(
        `timing: set-up ${readyAt - startedAt} ms (runs created, workers started or reused), race ${racedAt - readyAt} ms`,
      );
    });
  });
}
