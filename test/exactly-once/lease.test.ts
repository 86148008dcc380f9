// A claim lives as long as the work: the process executing a run renews its lease while a tool
// runs for several lease periods, so recover() in another process never takes the run over; and
// when a holder does lose its claim (frozen past its lease, then taken over), its next write is
// refused and it runs no further side effect. Real processes, SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RecoveredRun } from "kern/agent";
import { continuingAgent, loggedExecutions, twoCallAgent } from "./fixture.test-helper.js";
import type { Message, RunToContinue } from "./protocol.test-helper.js";
import { createApprovedRuns, createTestStore, STORE_KINDS, type TestStore } from "./stores.test-helper.js";
import { WorkerPool, type WorkerProcess } from "./worker-process.test-helper.js";

const LEASE_MS = 1000;

let pool: WorkerPool | undefined;
before(() => {
  pool = new WorkerPool(1);
});
after(() => pool?.close());

async function takeWorker(store: TestStore): Promise<WorkerProcess> {
  assert.ok(pool !== undefined, "the pool starts in before()");
  return pool.take(store.config, 60_000);
}

/** Polls the worker until it reports how its continue ended, doing `meanwhile` between polls. */
async function untilSettled(
  worker: WorkerProcess,
  meanwhile: () => Promise<void>,
  timeoutMs: number,
): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await worker.poll(20);
    if (message !== null) return message;
    assert.ok(Date.now() < deadline, `the worker settled within ${timeoutMs} ms; stderr: ${worker.stderr}`);
    await meanwhile();
  }
}

/** A paused run asking for two gated calls (Osaka, then Kyoto), both approved as JSON. */
async function twoCallRun(store: TestStore): Promise<RunToContinue> {
  const paused = await twoCallAgent(store.db, store.config.logFile, ["Osaka", "Kyoto"]).run("Alert two cities");
  assert.equal(paused.activeRequirements.length, 2);
  const requirements = paused.activeRequirements.map((requirement) => {
    requirement.confirm();
    return requirement.toJSON();
  });
  return { runId: paused.runId, sessionId: paused.sessionId, requirements };
}

for (const { kind, skip } of STORE_KINDS) {
  describe(`claims and leases across processes (${kind})`, { skip }, () => {
    it("renews the lease while a tool runs for 4.5 lease periods: recover() in a loop never takes the run over", {
      timeout: 60_000,
    }, async (t) => {
      const store = await createTestStore(kind, "lease");
      t.after(() => store.dispose());
      const [run] = await createApprovedRuns(store, 1);
      assert.ok(run !== undefined);
      const worker = await takeWorker(store);
      t.after(() => worker.stop());
      worker.send({ op: "continue", run, leaseMs: LEASE_MS, toolMs: 4.5 * LEASE_MS });

      const recoverer = continuingAgent(store.db, store.config.logFile, "recoverer");
      const taken: RecoveredRun[] = [];
      const leaseLeft: number[] = [];
      let recoverCalls = 0;
      const settled = await untilSettled(
        worker,
        async () => {
          const report = await recoverer.recover();
          recoverCalls += 1;
          taken.push(...report.agentRuns);
          const stored = await store.db.getRun("agent", run.runId);
          if (stored?.status === "running" && stored.leaseExpiresAt !== null)
            leaseLeft.push(stored.leaseExpiresAt - Date.now());
        },
        30_000,
      );

      assert.equal(settled.type === "settled" ? settled.outcome.outcome : JSON.stringify(settled), "completed");
      assert.deepEqual(taken, [], "recover() never took over the run of a live holder");
      assert.ok(recoverCalls >= 20, `recover() ran ${recoverCalls} times while the tool ran`);
      assert.ok(
        leaseLeft.length >= 20 && Math.min(...leaseLeft) > 0,
        `the lease was always in the future while the tool ran (least left: ${Math.min(...leaseLeft)} ms)`,
      );
      assert.deepEqual(
        loggedExecutions(store.config.logFile).map((entry) => entry.runId),
        [run.runId],
        "the tool ran once",
      );
      const done = await recoverer.getRunOutput(run.runId, run.sessionId);
      assert.equal(done.status, "completed");
      assert.deepEqual(
        done.requirements.map((requirement) => requirement.isRecovered),
        [false],
        "nothing was shown to a person as uncertain",
      );
      const stored = await store.db.getRun("agent", run.runId);
      // Claim, result and end are three writes; the rest of the revisions are renewals.
      assert.ok((stored?.revision ?? 0) >= 2 + 3 + 9, `the holder renewed its lease (revision ${stored?.revision})`);
      t.diagnostic(
        `${recoverCalls} recover() calls during a ${4.5 * LEASE_MS} ms tool with a ${LEASE_MS} ms lease; least lease left ${Math.min(...leaseLeft)} ms; final revision ${stored?.revision}`,
      );
    });

    it("fences a holder frozen past its lease: once taken over, its next write is refused and it runs no further tool", {
      timeout: 60_000,
    }, async (t) => {
      const store = await createTestStore(kind, "fence");
      t.after(() => store.dispose());
      const run = await twoCallRun(store);
      const worker = await takeWorker(store);
      t.after(() => worker.stop());
      worker.send({ op: "continue", run, leaseMs: LEASE_MS, toolMs: 3 * LEASE_MS });
      // Once the claim is stored (the first call marked as started), freeze the holder.
      const recoverer = continuingAgent(store.db, store.config.logFile, "recoverer");
      for (
        let stored = await store.db.getRun("agent", run.runId);
        stored?.status !== "running";
        stored = await store.db.getRun("agent", run.runId)
      )
        await sleep(10);
      worker.signal("SIGSTOP");
      // Recovering on a clock 1.5 leases ahead: the frozen holder's lease has passed, no waiting.
      const report = await recoverer.recover({ now: Date.now() + 1.5 * LEASE_MS });
      worker.signal("SIGCONT");
      const [taken] = report.agentRuns;
      assert.equal(taken?.runId, run.runId, "recover() took over the run of a holder that stopped renewing");
      assert.equal(taken?.uncertainToolCalls.length, 1, "the call the frozen holder had started is uncertain");

      const settled = await untilSettled(worker, async () => undefined, 30_000);
      assert.equal(settled.type === "settled" ? settled.outcome.outcome : JSON.stringify(settled), "ClaimLostError");
      const byWorker = loggedExecutions(store.config.logFile)
        .filter((entry) => entry.pid === worker.pid)
        .map((entry) => entry.city);
      assert.deepEqual(
        byWorker,
        ["Osaka"],
        "the holder finished the call it was in, and ran nothing after losing its claim",
      );

      // A person reads the log: Osaka was sent, so skip it; Kyoto was approved and never started.
      const recovered = await recoverer.getRunOutput(run.runId, run.sessionId);
      assert.deepEqual(
        recovered.activeRequirements.map((requirement) => requirement.toolExecution.toolArgs["city"]),
        ["Osaka"],
      );
      recovered.activeRequirements[0]?.reject("The log shows it was sent.");
      const done = await recoverer.continueRun(recovered);
      assert.equal(done.status, "completed");
      const cities = loggedExecutions(store.config.logFile).map((entry) => entry.city);
      assert.deepEqual(cities, ["Osaka", "Kyoto"], "each approved call ran exactly once");
    });
  });
}
