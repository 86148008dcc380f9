import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import pg from "pg";
import { requirePrerequisite } from "../../../../scripts/test-prerequisites.mjs";
import { kern } from "../../../../src/cli/cli.test-helper.js";
import {
  BranchWorker,
  build,
  loggedEffects,
  openStore,
  type Reply,
  type RunSummary,
  type StoreConfig,
  type Target,
} from "./11_parallel_branches.js";

delete process.env["OPENAI_API_KEY"];

const ROUNDS = 6;
const postgresUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
const skipPostgres = requirePrerequisite("postgres");
const directory = mkdtempSync(join(tmpdir(), "kern-scenario-11-test-"));
const REPORT = "Launch report:\nLegal: cleared.\n\nAnnouncement posted to #launch.\n\nInventory: 120 units ready.";
const CALL = { toolName: "post_announcement", toolArgs: { channel: "#launch", text: "Kern 1.0 ships today." } };

let workers: [BranchWorker, BranchWorker, BranchWorker] | undefined;
function started(): [BranchWorker, BranchWorker, BranchWorker] {
  assert.ok(workers !== undefined, "the workers start in before()");
  return workers;
}

/** A store of its own for one test: a new SQLite file, or a new Postgres schema dropped afterwards. */
function newTarget(t: TestContext, kind: StoreConfig["kind"], name: string): Target {
  const logFile = join(directory, `${name}-${kind}.log`);
  if (kind === "sqlite") return { store: { kind, dbFile: join(directory, `${name}.db`) }, logFile };
  const schema = `kern_scenario11_${randomBytes(6).toString("hex")}`;
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

/** "kind:path" of each requirement waiting, in order. */
const waiting = (run: RunSummary): string[] => run.active.map((entry) => `${entry.kind}:${entry.path.join("/")}`);

async function eachBranchInAnotherProcess(t: TestContext, kind: StoreConfig["kind"]): Promise<void> {
  const [first, second, third] = started();
  const target = newTarget(t, kind, "branches");
  const start = runOf(await first.send({ ...target, op: "start" }));
  assert.deepEqual(
    [start.status, waiting(start), start.requirementCount],
    ["paused", ["confirmation:launch_checks/legal_review", "executor:launch_checks/announce"], 2],
  );
  assert.deepEqual(start.active[1]?.calls, [CALL]);
  assert.deepEqual(loggedEffects(target.logFile), [`${first.pid} inventory`], "only the ungated branch ran");
  const ids = { runId: start.runId, sessionId: start.sessionId };
  const resolve = { ...target, op: "resolve", ...ids, decision: "approve" } as const;

  if (kind === "sqlite") {
    // The CLI lists the paused run with one entry per paused branch, each with its path.
    const listing = await kern(["runs", "list", "--db", target.store.kind === "sqlite" ? target.store.dbFile : ""]);
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, /LaunchChecks \/ launch_checks \/ legal_review: Legal: may the launch be announced\?/);
    assert.match(
      listing.stdout,
      /LaunchChecks \/ launch_checks \/ announce: Announcer wants to call post_announcement/,
    );
  }

  // The pause listed second is resolved first, by another process.
  const toolApproved = await second.send({ ...resolve, stepName: "announce" });
  assert.deepEqual(toolApproved.loaded, start, "the second process loads exactly what the first stored");
  const afterTool = runOf(toolApproved);
  assert.deepEqual(
    [afterTool.status, waiting(afterTool), afterTool.requirementCount],
    ["paused", ["confirmation:launch_checks/legal_review"], 2],
  );
  assert.deepEqual(loggedEffects(target.logFile), [
    `${first.pid} inventory`,
    `${second.pid} post_announcement #launch`,
  ]);

  const legalApproved = await third.send({ ...resolve, stepName: "legal_review" });
  assert.deepEqual(legalApproved.loaded, afterTool);
  const done = runOf(legalApproved);
  assert.deepEqual([done.status, waiting(done), done.requirementCount, done.content], ["completed", [], 2, REPORT]);
  assert.deepEqual(loggedEffects(target.logFile), [
    `${first.pid} inventory`,
    `${second.pid} post_announcement #launch`,
    `${third.pid} legal_review`,
  ]);

  const db = await openStore(target.store);
  try {
    const stored = await build({ db, record: () => undefined, script: [] }).workflow.getRunOutput(
      ids.runId,
      ids.sessionId,
    );
    assert.deepEqual([stored.status, stored.content], ["completed", REPORT]);
    assert.deepEqual(
      stored.stepRequirements.map((requirement) => [
        requirement.path.join("/"),
        requirement.isFrozen,
        requirement.isResolved,
      ]),
      [
        ["launch_checks/legal_review", true, true],
        ["launch_checks/announce", true, true],
      ],
    );
  } finally {
    await db.close();
  }
  const again = await first.send({ ...resolve, stepName: "announce" });
  assert.deepEqual([again.error?.name, again.error?.status], ["RunNotPausedError", "completed"]);
  assert.equal(loggedEffects(target.logFile).length, 3);
}

async function racingBranches(t: TestContext, kind: StoreConfig["kind"]): Promise<void> {
  const [first, second, third] = started();
  const target = newTarget(t, kind, "race");
  let claimLost = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = loggedEffects(target.logFile).length;
    const start = runOf(await first.send({ ...target, op: "start" }));
    const ids = { runId: start.runId, sessionId: start.sessionId };
    const resolve = { ...target, op: "resolve", ...ids, decision: "approve" } as const;
    // Two people decide different branches in two processes at the same moment.
    const goAt = Date.now() + 400;
    const replies = await Promise.all([
      second.send({ ...resolve, stepName: "announce", goAt }),
      third.send({ ...resolve, stepName: "legal_review", goAt }),
    ]);
    const label = `round ${round}: ${JSON.stringify(replies.map((reply) => reply.error?.name ?? reply.run?.status))}`;
    assert.ok(
      replies.every((reply) => reply.loaded !== null && reply.loaded.active.length === 2),
      `${label}: both loaded the run with both branches waiting`,
    );
    const losers = replies.filter((reply) => reply.error !== null);
    if (losers.length === 0) {
      // The second claim came after the first drive had paused again: both decisions applied, in turn.
      assert.deepEqual(replies.map((reply) => reply.run?.status).sort(), ["completed", "paused"], label);
    } else {
      // The claim was contested: exactly one continue ran; the loser's decision was not stored,
      // and it decides again once the winner's drive has paused.
      assert.equal(losers.length, 1, label);
      const lost = losers[0]?.error;
      assert.ok(
        lost?.name === "RunAlreadyClaimedError" || (lost?.name === "RunNotPausedError" && lost.status === "running"),
        label,
      );
      claimLost += 1;
      const loserStep = replies[0]?.error === null ? "legal_review" : "announce";
      const done = runOf(await first.send({ ...resolve, stepName: loserStep }));
      assert.deepEqual([done.status, done.content], ["completed", REPORT], label);
    }
    const effects = loggedEffects(target.logFile)
      .slice(before)
      .map((line) => line.replace(/^\d+ /, ""))
      .sort();
    assert.deepEqual(
      effects,
      ["inventory", "legal_review", "post_announcement #launch"],
      `${label}: each exactly once`,
    );
  }
  t.diagnostic(
    `${claimLost} of ${ROUNDS} rounds contested the claim; in the others one drive ended before the other claimed`,
  );
}

describe("scenario 11: gates inside Parallel branches, resolved by other processes", () => {
  before(async () => {
    workers = [new BranchWorker(), new BranchWorker(), new BranchWorker()];
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
    it("pauses two branches, then runs each on in the process that decides it, in the opposite order", (t) =>
      eachBranchInAnotherProcess(t, "sqlite"));
    it(`claims the run once when two processes decide different branches at once, ${ROUNDS} times over`, (t) =>
      racingBranches(t, "sqlite"));
  });

  describe("on PostgreSQL", { skip: skipPostgres }, () => {
    it("pauses two branches, then runs each on in the process that decides it, in the opposite order", (t) =>
      eachBranchInAnotherProcess(t, "postgres"));
    it(`claims the run once when two processes decide different branches at once, ${ROUNDS} times over`, (t) =>
      racingBranches(t, "postgres"));
  });
});
