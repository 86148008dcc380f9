// SIGKILL a worker process at each of the places where dying matters: inside continueRun before
// the claim, right after it, during the tool (before or after its side effect), after the tool
// returned (during the next model call) and before the final save; and inside run(), during a
// run's first leg. Then, as extra trials, at a random moment chosen by this process. After
// recover(), no run is missing, every call that started without a stored result comes back as a
// requirement for a person, no finished call does, no approved call runs twice, and every run
// finishes (those with nothing uncertain resume with no decision).
//
// Starting a worker costs a second or more, so each worker serves several trials at once: it holds
// every run at that run's own crash point and kills itself once all are held, which leaves the
// store exactly as dying at each point would. A pool starts the next worker while one is busy.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type Decision,
  describeTrial,
  finish,
  type Observation,
  observe,
  recoverLater,
  type Trial,
} from "./crash-trial.test-helper.js";
import { AGENT_NAME, continuingAgent } from "./fixture.test-helper.js";
import type { CrashPoint, Message } from "./protocol.test-helper.js";
import {
  chooseSeed,
  createApprovedRuns,
  createTestStore,
  STORE_KINDS,
  seededRandom,
  type TestStore,
} from "./stores.test-helper.js";
import { WorkerPool } from "./worker-process.test-helper.js";

const TRIALS = 50;
/** Trials one worker holds at their crash points before it kills itself. */
const TRIALS_PER_WORKER = 10;
const RANDOM_MOMENT_TRIALS = 20;
const RANDOM_MOMENT_TRIALS_PER_WORKER = 5;
/**
 * A random-moment worker starts each run within START_WINDOW_MS, its tool and model take up to
 * LATENCY_MS at each step, and this process kills it within KILL_WINDOW_MS of the command, so
 * kills land before, during and after the runs.
 */
const START_WINDOW_MS = 100;
const LATENCY_MS = 40;
const KILL_WINDOW_MS = 300;
const seed = chooseSeed();

// Killed workers are replaced ahead of need; the spares carry over from one store to the next.
let pool: WorkerPool | undefined;
before(() => {
  pool = new WorkerPool(2);
});
after(() => pool?.close());

/** The moments, each equally likely; "during the tool" is before or after its side effect. */
function pickPoint(random: () => number): CrashPoint {
  const moments = [
    "before-claim",
    "after-claim",
    "during-tool",
    "during-next-model-call",
    "before-save",
    "first-leg",
  ] as const;
  const moment = moments[Math.floor(random() * moments.length)] ?? "before-claim";
  if (moment !== "during-tool") return moment;
  return random() < 0.5 ? "during-tool-before-effect" : "during-tool-after-effect";
}

/** Counts for the report. */
class Stats {
  readonly byPoint = new Map<string, number>();
  readonly randomOutcomes = new Map<string, number>();
  readonly decisions = new Map<Decision, number>();
  readonly killDelays: number[] = [];

  add(trial: Trial, before: Observation, decision: Decision): void {
    const bump = <K>(map: Map<K, number>, key: K): void => {
      map.set(key, (map.get(key) ?? 0) + 1);
    };
    bump(this.byPoint, trial.point ?? "random moment");
    if (trial.point === null) bump(this.randomOutcomes, `${before.status}/${before.phase}/${before.executions}`);
    bump(this.decisions, decision);
  }
}

const show = (map: ReadonlyMap<string, number>): string =>
  [...map].map(([key, count]) => `${key}: ${count}`).join(", ");

/** Sends a batch to a fresh worker and waits until it is dead (killed by itself, or by this process). */
async function crashBatch(
  store: TestStore,
  trials: Trial[],
  random: () => number,
  killAfterMs: number | null,
): Promise<void> {
  assert.ok(pool !== undefined, "the pool starts in before()");
  const worker = await pool.take(store.config, 60_000);
  const timing = () =>
    killAfterMs === null
      ? { startAfterMs: 0, latencyMs: 0 }
      : { startAfterMs: Math.floor(random() * START_WINDOW_MS), latencyMs: Math.floor(random() * LATENCY_MS) };
  worker.send({ op: "crash", trials: trials.map((trial) => ({ ...trial.run, point: trial.point, ...timing() })) });
  const started = await worker.receive(15_000, "started");
  assert.equal(started.type, "started", JSON.stringify(started));
  if (killAfterMs !== null) {
    await sleep(killAfterMs);
    worker.kill();
  }
  const exit = await worker.death(30_000);
  assert.equal(exit.signal, "SIGKILL", `worker ${worker.pid} died by SIGKILL; stderr: ${worker.stderr}`);
  checkMessages(worker.drain(), trials, killAfterMs === null);
}

function checkMessages(messages: Message[], trials: Trial[], holding: boolean): void {
  const failures = messages.filter(
    (message) =>
      message.type === "failed" || (message.type === "settled" && (holding || message.outcome.outcome !== "completed")),
  );
  assert.deepEqual(failures, [], "the worker reported no failure and, when holding, no run got past its crash point");
  if (!holding) return;
  const held = new Set(messages.flatMap((message) => (message.type === "held" ? [message.runId] : [])));
  for (const trial of trials)
    assert.ok(held.has(trial.run.runId), `${describeTrial(trial)} was held at its crash point`);
}

/** Recovers after a batch's worker died, then finishes each of its runs. */
async function recoverAndFinish(store: TestStore, trials: Trial[], stats: Stats): Promise<void> {
  const observations: Observation[] = [];
  for (const trial of trials) observations.push(await observe(store, trial));
  const recovered = await recoverLater(continuingAgent(store.db, store.config.logFile, "recover"));
  for (const [index, trial] of trials.entries()) {
    const before = observations[index];
    assert.ok(before !== undefined);
    stats.add(trial, before, await finish(store, trial, before, recovered));
  }
}

async function runTrials(t: TestContext, kind: (typeof STORE_KINDS)[number]["kind"]): Promise<void> {
  const startedAt = Date.now();
  const random = seededRandom(seed + (kind === "sqlite" ? 0 : 1));
  t.diagnostic(`seed ${seed} (KERN_EXACTLY_ONCE_SEED=${seed} replays the same crash points and delays)`);
  const store = await createTestStore(kind, "crash");
  t.after(() => store.dispose());
  const stats = new Stats();
  const batches: Array<{ count: number; randomMoment: boolean }> = [];
  const plan = (total: number, size: number, randomMoment: boolean): void => {
    for (let planned = 0; planned < total; planned += size)
      batches.push({ count: Math.min(size, total - planned), randomMoment });
  };
  plan(TRIALS, TRIALS_PER_WORKER, false);
  plan(RANDOM_MOMENT_TRIALS, RANDOM_MOMENT_TRIALS_PER_WORKER, true);
  let index = 0;
  for (const batch of batches) {
    const points = Array.from({ length: batch.count }, () => (batch.randomMoment ? null : pickPoint(random)));
    const approved = await createApprovedRuns(store, points.filter((point) => point !== "first-leg").length);
    // A first-leg trial starts a new run in the worker, under ids chosen here.
    const runs = points.map((point) =>
      point === "first-leg" ? { runId: randomUUID(), sessionId: randomUUID(), requirements: [] } : approved.shift(),
    );
    const trials = points.map((point, offset) => ({
      seed,
      index: index++,
      run: runs[offset] ?? assert.fail("a run for every trial"),
      point,
    }));
    const killAfterMs = batch.randomMoment ? Math.floor(random() * KILL_WINDOW_MS) : null;
    if (killAfterMs !== null) stats.killDelays.push(killAfterMs);
    await crashBatch(store, trials, random, killAfterMs);
    await recoverAndFinish(store, trials, stats);
  }

  const owner = { kind: "agent" as const, ownerId: AGENT_NAME };
  assert.deepEqual(await store.db.listRuns({ ...owner, status: "running" }), [], "no run is stuck running");
  assert.deepEqual(await store.db.listRuns({ ...owner, status: "paused" }), [], "no run is left paused");
  assert.deepEqual(
    await store.db.listPendingRequirements({ ownerId: AGENT_NAME }),
    [],
    "no requirement is left waiting",
  );
  assert.equal(
    (await store.db.listRuns({ ...owner, status: "completed", limit: index + 1 })).length,
    index,
    "every trial's run completed",
  );
  t.diagnostic(`${index} trials in ${batches.length} worker processes, ${Date.now() - startedAt} ms`);
  t.diagnostic(`crash points: ${show(stats.byPoint)}`);
  t.diagnostic(
    `random-moment kills (after ${stats.killDelays.join(", ")} ms) left (status/phase/executions): ${show(stats.randomOutcomes)}`,
  );
  t.diagnostic(`decisions after recover() (resumed: nothing uncertain, no decision): ${show(stats.decisions)}`);
}

for (const { kind, skip } of STORE_KINDS) {
  describe(`SIGKILL inside run() or continueRun(), then recover() (${kind})`, { skip }, () => {
    it(
      "loses no run, runs no approved call twice, asks about exactly the calls that started without a stored result, and finishes every run",
      { timeout: 180_000 },
      (t) => runTrials(t, kind),
    );
  });
}
