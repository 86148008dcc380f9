import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { Steps } from "./components/steps.js";
import { CrashingDb, LATER, saveOf, toolResultCheckpoint } from "./crashing-db.test-helper.js";
import { activeAt, activeLabels, approveAt, fanOut, rejectAt } from "./parallel.test-helper.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb } from "./workflow.test-helper.js";

describe("faults inside Parallel branches", () => {
  it("recovers a branch that died inside its step: only that branch asks, the finished one never runs again", async () => {
    const db = new CrashingDb();
    const { workflow, counter } = fanOut({ db });
    const paused = await workflow.run("in");
    approveAt(paused, "approve");
    // The process dies as it stores the drive's end: the approved step ran, its output is not stored.
    db.crashOn = saveOf("workflow", "paused");
    await assert.rejects(workflow.continueRun(paused), /process died/);
    assert.equal(counter.of("approve"), 1);

    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
      [[["approve"], true]],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual(activeLabels(run), ["executor:fan_out/notify", "error:fan_out/approve"]);
    assert.equal(activeAt(run, "approve").isRecovered, true);
    // The person knows it ran: skip it. The other branch still waits, untouched.
    activeAt(run, "approve").skip();
    const second = await workflow.continueRun(run);
    assert.deepEqual(activeLabels(second), ["executor:fan_out/notify"]);
    approveAt(second, "notify");
    const done = await workflow.continueRun(second);
    assert.deepEqual([done.status, done.content], ["completed", "Report: notify finished\n\naudit(in)"]);
    assert.deepEqual([counter.of("approve"), counter.of("audit"), counter.of("notify_tool")], [1, 1, 1]);
  });

  it("recovers a branch whose approved tool ran but whose result was never stored: it asks again, the tool never runs twice", async () => {
    const db = new CrashingDb();
    const { workflow, counter } = fanOut({ db });
    const paused = await workflow.run("in");
    approveAt(paused, "notify");
    db.crashOn = toolResultCheckpoint;
    await assert.rejects(workflow.continueRun(paused), /process died/);
    assert.equal(counter.of("notify_tool"), 1);

    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => run.needsDecision),
      [true],
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual(activeLabels(run), ["confirmation:fan_out/approve", "executor:fan_out/notify"]);
    const asked = activeAt(run, "notify");
    assert.deepEqual(
      asked.executorRequirements.map((call) => call.isRecovered),
      [true],
    );
    rejectAt(run, "notify", "it already ran");
    approveAt(run, "approve");
    const done = await workflow.continueRun(run);
    assert.equal(done.status, "completed");
    assert.deepEqual([counter.of("notify_tool"), counter.of("approve"), counter.of("audit")], [1, 1, 1]);
  });

  it("resumes a branch stored as decided after a crash right after the claim, asking nobody", async () => {
    const db = new CrashingDb();
    const { workflow, counter } = fanOut({ db });
    const paused = await workflow.run("in");
    approveAt(paused, "approve");
    // Dies at its first checkpoint after the claim (the first "running" write): the decision is
    // stored, nothing ran.
    let runningWrites = 0;
    db.crashOn = (record) => saveOf("workflow", "running")(record) && ++runningWrites === 2;
    await assert.rejects(workflow.continueRun(paused), /process died/);
    assert.equal(counter.of("approve"), 0);
    const report = await workflow.recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => [run.uncertainSteps, run.needsDecision]),
      [[[], false]],
      "the decided branch can go on with nobody asked",
    );
    const run = await workflow.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual(activeLabels(run), ["executor:fan_out/notify"]);
    const second = await workflow.continueRun({ runId: run.runId, sessionId: run.sessionId });
    assert.deepEqual([second.status, activeLabels(second)], ["paused", ["executor:fan_out/notify"]]);
    assert.equal(counter.of("approve"), 1);
  });

  it("never loses finished work to a write made while a continue resumes into nested frames (a policy's decision)", async () => {
    for (const parallel of [false, true]) {
      const db = new CrashingDb();
      const counter = new Counter();
      const gated = new Steps({
        name: "seq",
        steps: [
          countedStep("a", counter),
          countedStep("b", counter, { requiresConfirmation: true, policy: () => "allow" }),
        ],
      });
      const steps = parallel
        ? [new Parallel({ name: "p", steps: [gated, countedStep("c", counter, { requiresConfirmation: true })] })]
        : [gated];
      const workflow = new Workflow({ name: "w", db, steps });
      // The policy approves b as soon as it pauses, and the drive resumes into "seq" to run it:
      // the process dies as b is stored as started, after a write made on the way down.
      db.crashOn = (record) => record.kind === "workflow" && /"b"[\s\S]*"phase":"execute"/.test(record.state);
      await assert.rejects(workflow.run("in"), /process died/);
      await workflow.recover({ now: LATER });
      const [stored] = await workflow.listRuns({});
      assert.ok(stored !== undefined);
      const resumed = await workflow.continueRun({ runId: stored.runId, sessionId: stored.sessionId });
      assert.deepEqual(
        [resumed.status, counter.of("a"), counter.of("b")],
        [parallel ? "paused" : "completed", 1, 1],
        `${parallel ? "in a Parallel branch" : "in a sequence"}: a ran once`,
      );
    }
  });

  it("retries only the branch that failed; the branches that finished or paused keep where they are", async () => {
    const counter = new Counter();
    let failures = 1;
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Parallel({
          name: "p",
          steps: [
            countedStep("ok", counter),
            countedStep("wait", counter, { requiresConfirmation: true }),
            new Step({
              name: "flaky",
              executor: () => {
                counter.hit("flaky");
                if (failures-- > 0) throw new Error("flaky service down");
                return "flaky ok";
              },
            }),
          ],
        }),
      ],
    });
    await assert.rejects(workflow.run("in"), { name: "StepFailedError" });
    const [failed] = await workflow.listRuns({ status: "error" });
    assert.ok(failed !== undefined);
    const retried = await workflow.retryRun(failed);
    assert.deepEqual([retried.status, activeLabels(retried)], ["paused", ["confirmation:p/wait"]]);
    assert.deepEqual(
      ["ok", "wait", "flaky"].map((name) => counter.of(name)),
      [1, 0, 2],
    );
    approveAt(retried, "wait");
    const done = await workflow.continueRun(retried);
    assert.equal(done.content, "ok(in)\n\nwait(in)\n\nflaky ok");
    assert.deepEqual(
      ["ok", "wait", "flaky"].map((name) => counter.of(name)),
      [1, 1, 2],
    );
  });

  it("applies a branch gate's deadline in the sweep; the other branch stays paused", async () => {
    const counter = new Counter();
    let now = 1_000_000;
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      now: () => now,
      steps: [
        new Parallel({
          name: "p",
          steps: [
            countedStep("timed", counter, { requiresConfirmation: true, hitlTimeout: 60, onTimeout: "skip" }),
            countedStep("open", counter, { requiresConfirmation: true }),
          ],
        }),
      ],
    });
    const run = await workflow.run("in");
    assert.deepEqual(activeLabels(run), ["confirmation:p/timed", "confirmation:p/open"]);
    now += 61_000;
    const report = await workflow.expirePausedRuns(now);
    assert.equal(report.moved, 1);
    const swept = await workflow.getRunOutput(run.runId, run.sessionId);
    assert.deepEqual([swept.status, activeLabels(swept)], ["paused", ["confirmation:p/open"]]);
    approveAt(swept, "open");
    const done = await workflow.continueRun(swept);
    assert.equal(done.content, "open(in)");
    assert.deepEqual([counter.of("timed"), counter.of("open")], [0, 1]);
  });

  it("lets a branch gate's policy decide it at once; only the other branch waits for a person", async () => {
    const counter = new Counter();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Parallel({
          name: "p",
          steps: [
            countedStep("trusted", counter, { requiresConfirmation: true, policy: () => "allow" }),
            countedStep("manual", counter, { requiresConfirmation: true }),
          ],
        }),
      ],
    });
    const run = await workflow.run("in");
    assert.deepEqual(activeLabels(run), ["confirmation:p/manual"]);
    assert.deepEqual([counter.of("trusted"), counter.of("manual")], [1, 0]);
    assert.equal(run.stepRequirements.find((entry) => entry.stepName === "trusted")?.decidedBy?.kind, "policy");
  });
});
