import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AgentWorker, loggedExecutions } from "./agent-process.test-helper.js";

const directory = mkdtempSync(join(tmpdir(), "kern-agent-process-"));
after(() => rmSync(directory, { recursive: true, force: true }));

describe("agents across OS processes (SQLite)", () => {
  it("continues a run paused by a different process, running the tool exactly once", async (t) => {
    const dbFile = join(directory, "another.db");
    const logFile = join(directory, "another.log");
    const starter = new AgentWorker(dbFile, logFile);
    t.after(() => starter.stop());
    const started = await starter.send({ op: "start" });
    assert.equal(started["status"], "paused");
    const finisher = new AgentWorker(dbFile, logFile);
    t.after(() => finisher.stop());
    const finished = await finisher.send({ op: "continue", runId: started["runId"], sessionId: started["sessionId"] });
    assert.equal(finished["status"], "completed");
    assert.equal(finished["content"], `Sent by ${finisher.pid}.`);
    assert.deepEqual(loggedExecutions(logFile), [`${finisher.pid} Tokyo`]);
    const again = await finisher.send({ op: "continue", runId: started["runId"], sessionId: started["sessionId"] });
    assert.deepEqual(again, { error: "RunNotPausedError", status: "completed" });
    assert.equal(loggedExecutions(logFile).length, 1);
  });

  it("lets exactly one of two racing processes run the approved tool, 20 times over", async (t) => {
    const dbFile = join(directory, "race.db");
    const workers = [0, 1, 2].map((index) => new AgentWorker(dbFile, join(directory, `race-${index}.log`)));
    const [starter, left, right] = workers as [AgentWorker, AgentWorker, AgentWorker];
    const losers: string[] = [];
    t.after(() => Promise.all(workers.map((worker) => worker.stop())));
    for (let round = 0; round < 20; round += 1) {
      const started = await starter.send({ op: "start" });
      const before =
        loggedExecutions(join(directory, "race-1.log")).length + loggedExecutions(join(directory, "race-2.log")).length;
      const command = {
        op: "continue",
        runId: started["runId"],
        sessionId: started["sessionId"],
        goAt: Date.now() + 60,
      };
      const results = await Promise.all([left.send(command), right.send(command)]);
      const afterRound =
        loggedExecutions(join(directory, "race-1.log")).length + loggedExecutions(join(directory, "race-2.log")).length;
      const winners = results.filter((result) => result["error"] === undefined && result["status"] === "completed");
      assert.equal(winners.length, 1, JSON.stringify(results));
      const loser = results.find((result) => result["error"] !== undefined);
      assert.ok(
        ["RunAlreadyClaimedError", "RunNotPausedError"].includes(String(loser?.["error"])),
        JSON.stringify(loser),
      );
      losers.push(String(loser?.["error"]));
      assert.equal(afterRound - before, 1, `round ${round}: the tool ran ${afterRound - before} times`);
    }
    // Both processes load the paused run before either claims it, so losing the compare-and-set
    // itself (not merely arriving after the winner finished) must actually happen.
    assert.ok(losers.includes("RunAlreadyClaimedError"), losers.join(", "));
    t.diagnostic(
      `losers: ${losers.filter((name) => name === "RunAlreadyClaimedError").length} lost the claim, the rest arrived after it`,
    );
  });
});
