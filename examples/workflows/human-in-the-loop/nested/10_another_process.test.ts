import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { WorkflowRunOutput } from "kern/workflow";
import pg from "pg";
import { requirePrerequisite } from "../../../../scripts/test-prerequisites.mjs";
import {
  build,
  loggedExecutions,
  openStore,
  ProcessWorker,
  type Reply,
  type RunSummary,
  type StoreConfig,
  type Target,
} from "./10_another_process.js";

delete process.env["OPENAI_API_KEY"];

const ROUNDS = 12;
const postgresUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
const skipPostgres = requirePrerequisite("postgres");
const directory = mkdtempSync(join(tmpdir(), "kern-scenario-10-test-"));
const toolArgs = { city: "Tokyo", message: "Heavy rain expected tonight." };

/** Three long-lived processes (starting each costs about a second); every command builds from scratch. */
let workers: [ProcessWorker, ProcessWorker, ProcessWorker] | undefined;
function started(): [ProcessWorker, ProcessWorker, ProcessWorker] {
  assert.ok(workers !== undefined, "the workers start in before()");
  return workers;
}

/** A store of its own for one test: a new SQLite file, or a new Postgres schema dropped afterwards. */
function newTarget(t: TestContext, kind: StoreConfig["kind"], name: string): Target {
  const logFile = join(directory, `${name}-${kind}.log`);
  if (kind === "sqlite") return { store: { kind, dbFile: join(directory, `${name}.db`) }, logFile };
  const schema = `kern_scenario10_${randomBytes(6).toString("hex")}`;
  t.after(async () => {
    const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return { store: { kind, dbUrl: postgresUrl, schema }, logFile };
}

function runOf(reply: Reply): RunSummary {
  assert.equal(reply.error, null, `the child failed: ${JSON.stringify(reply.error)}`);
  assert.ok(reply.run !== null);
  return reply.run;
}

/** The stored run, read by this (parent) process with its own connection and workflow object. */
async function storedRun(target: Target, ids: { runId: string; sessionId: string }): Promise<WorkflowRunOutput> {
  const db = await openStore(target.store);
  try {
    const { workflow } = build({ db, logFile: target.logFile, script: [] });
    return await workflow.getRunOutput(ids.runId, ids.sessionId);
  } finally {
    await db.close();
  }
}

async function eachPauseInAnotherProcess(t: TestContext, kind: StoreConfig["kind"]): Promise<void> {
  const [first, second, third] = started();
  const target = newTarget(t, kind, "another");
  const start = runOf(await first.send({ ...target, op: "start" }));
  assert.deepEqual(
    [start.status, start.pauseKind, start.pausedStepName, start.requirementCount, start.calls],
    ["paused", "step", "send_alert", 1, []],
  );
  const ids = { runId: start.runId, sessionId: start.sessionId };

  const stepApproved = await second.send({ ...target, op: "resolve", ...ids });
  assert.equal(stepApproved.pid, second.pid);
  assert.notEqual(second.pid, first.pid);
  assert.deepEqual(stepApproved.loaded, start, "the second process loads exactly what the first stored");
  const executorPause = runOf(stepApproved);
  assert.deepEqual(
    [
      executorPause.status,
      executorPause.pauseKind,
      executorPause.pausedStepName,
      executorPause.requirementCount,
      executorPause.calls,
    ],
    ["paused", "executor", "send_alert", 2, [{ toolName: "send_alert", toolArgs }]],
  );
  assert.deepEqual(loggedExecutions(target.logFile), [], "the tool waits for approval");

  const toolApproved = await third.send({ ...target, op: "resolve", ...ids });
  assert.equal(toolApproved.pid, third.pid);
  assert.deepEqual(toolApproved.loaded, executorPause);
  const done = runOf(toolApproved);
  const content = `Logged: Alert sent for Tokyo by process ${third.pid}.`;
  assert.deepEqual([done.status, done.pauseKind, done.requirementCount, done.content], ["completed", null, 2, content]);
  assert.deepEqual(loggedExecutions(target.logFile), [`${third.pid} Tokyo`]);

  const stored = await storedRun(target, ids);
  assert.equal(stored.status, "completed");
  assert.equal(stored.content, content);
  assert.deepEqual(
    stored.stepRequirements.map((requirement) => [requirement.kind, requirement.isResolved]),
    [
      ["confirmation", true],
      ["executor", true],
    ],
  );
  assert.deepEqual(
    stored.stepExecutorRuns.map((run) => run.tools.map((execution) => [execution.toolName, execution.result])),
    [[["send_alert", "Alert sent for Tokyo: Heavy rain expected tonight."]]],
  );

  const again = await first.send({ ...target, op: "resolve", ...ids });
  assert.deepEqual([again.error?.name, again.error?.status], ["RunNotPausedError", "completed"]);
  assert.equal(loggedExecutions(target.logFile).length, 1);
}

async function racingProcesses(t: TestContext, kind: StoreConfig["kind"]): Promise<void> {
  const [first, second, third] = started();
  const target = newTarget(t, kind, "race");
  const losers: string[] = [];
  let bothLoadedPaused = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = runOf(await first.send({ ...target, op: "start" }));
    const ids = { runId: start.runId, sessionId: start.sessionId };
    assert.equal(runOf(await first.send({ ...target, op: "resolve", ...ids })).pauseKind, "executor");
    const executionsBefore = loggedExecutions(target.logFile).length;
    // Each child loads the run and approves the tool call, then spins until this moment to call continueRun.
    const goAt = Date.now() + 400;
    const replies = await Promise.all(
      [second, third].map((worker) => worker.send({ ...target, op: "resolve", ...ids, goAt })),
    );
    const label = `round ${round}: ${JSON.stringify(replies)}`;
    if (replies.every((reply) => reply.loaded?.pauseKind === "executor")) bothLoadedPaused += 1;

    const winners = replies.filter((reply) => reply.error === null);
    assert.equal(winners.length, 1, label);
    const winner = winners[0];
    assert.ok(winner !== undefined);
    const content = `Logged: Alert sent for Tokyo by process ${winner.pid}.`;
    assert.deepEqual([winner.run?.status, winner.run?.content], ["completed", content], label);
    const loser = replies.find((reply) => reply.error !== null)?.error;
    assert.ok(
      loser?.name === "RunAlreadyClaimedError" ||
        (loser?.name === "RunNotPausedError" && ["running", "completed"].includes(loser.status ?? "")),
      label,
    );
    losers.push(loser.name);
    assert.deepEqual(
      loggedExecutions(target.logFile).slice(executionsBefore),
      [`${winner.pid} Tokyo`],
      `${label}: the tool must run exactly once`,
    );
    const stored = await storedRun(target, ids);
    assert.deepEqual([stored.status, stored.content], ["completed", content], label);
  }
  const claimLost = losers.filter((name) => name === "RunAlreadyClaimedError").length;
  t.diagnostic(
    `${claimLost} of ${ROUNDS} losers lost the claim itself; the rest arrived after the winner had claimed the run`,
  );
  // Under a loaded machine a child can occasionally miss the start time; most rounds must still
  // be real races, where both children held the paused run before either continued.
  assert.ok(
    bothLoadedPaused >= ROUNDS - 2,
    `only ${bothLoadedPaused} of ${ROUNDS} rounds had both children load the paused run before the start time`,
  );
  assert.equal(loggedExecutions(target.logFile).length, ROUNDS);
}

describe("scenario 10: another process", () => {
  before(async () => {
    workers = [new ProcessWorker(), new ProcessWorker(), new ProcessWorker()];
    const target: Target = {
      store: { kind: "sqlite", dbFile: join(directory, "warm.db") },
      logFile: join(directory, "warm.log"),
    };
    await Promise.all(workers.map((worker) => worker.send({ ...target, op: "warm" })));
  });
  after(async () => {
    await Promise.all((workers ?? []).map((worker) => worker.stop()));
    rmSync(directory, { recursive: true, force: true });
  });

  describe("on SQLite", () => {
    it("resolves each pause in a new process that loads the run by id; the tool runs once", (t) =>
      eachPauseInAnotherProcess(t, "sqlite"));
    it(`lets exactly one of two racing processes continue the run, ${ROUNDS} times over`, (t) =>
      racingProcesses(t, "sqlite"));
  });

  describe("on PostgreSQL", { skip: skipPostgres }, () => {
    it("resolves each pause in a new process that loads the run by id; the tool runs once", (t) =>
      eachPauseInAnotherProcess(t, "postgres"));
    it(`lets exactly one of two racing processes continue the run, ${ROUNDS} times over`, (t) =>
      racingProcesses(t, "postgres"));
  });
});
