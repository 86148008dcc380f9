import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GateTimeout, Principal } from "../runs/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { Condition } from "./components/condition.js";
import { Loop } from "./components/loop.js";
import { Router } from "./components/router.js";
import { Steps } from "./components/steps.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb } from "./workflow.test-helper.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

const START = 1_000_000;
const LEAD: Principal = { id: "lee", roles: ["leads"] };
const DIRECTOR: Principal = { id: "dana", roles: ["directors"] };

/** A workflow on a clock the test moves; `run()` starts it and returns the paused run. */
function timed(steps: ConstructorParameters<typeof Workflow>[0]["steps"], db = freshDb()) {
  const clock = { now: START };
  const workflow = new Workflow({ name: "timed", db, steps, now: () => clock.now });
  return { workflow, clock, db };
}

async function stored(workflow: Workflow, run: WorkflowRunOutput): Promise<WorkflowRunOutput> {
  return workflow.getRunOutput(run.runId, run.sessionId);
}

describe("workflow gate timeouts", () => {
  it("decides a Step's gate each way `then` says, on continueRun and by the sweep", async () => {
    for (const [then, onReject, expected] of [
      ["approve", "skip", "after(gated(in))"],
      ["reject", "skip", "after(in)"],
      ["reject", "cancel", "cancelled"],
      ["skip", "skip", "after(in)"],
      ["cancel", "skip", "cancelled"],
    ] as const) {
      const counter = new Counter();
      const gated = countedStep("gated", counter, {
        requiresConfirmation: true,
        onReject,
        timeout: { after: 30, then },
      });
      const { workflow, clock } = timed([gated, countedStep("after", counter)]);
      const run = await workflow.run("in");
      assert.equal(run.stepRequirements[0]?.timeoutAt?.getTime(), START + 30_000);
      assert.equal(run.stepRequirements[0]?.onTimeout, then);
      clock.now += 29_999;
      await assert.rejects(workflow.continueRun(run), { name: "UnresolvedRequirementError" }, "before the deadline");
      clock.now += 1;
      assert.equal((await workflow.expirePausedRuns()).moved, 1, then);
      const done = await stored(workflow, run);
      assert.equal(done.status === "cancelled" ? "cancelled" : done.content, expected, `${then}/${onReject}`);
      assert.equal(counter.of("gated"), then === "approve" ? 1 : 0);
      assert.equal(done.stepRequirements[0]?.confirmed, then === "approve" ? true : then === "reject" ? false : null);
    }
  });

  it("takes timeout on every gated component: Steps, Condition, Router and Loop", async () => {
    const counter = new Counter();
    const { workflow, clock } = timed([
      new Steps({
        name: "group",
        requiresConfirmation: true,
        timeout: { after: 10, then: "approve" },
        steps: [countedStep("a", counter)],
      }),
      new Condition({
        name: "check",
        requiresConfirmation: true,
        timeout: { after: 20, then: "reject" },
        steps: [countedStep("if", counter)],
        elseSteps: [countedStep("else", counter)],
      }),
      new Router({
        name: "route",
        requiresUserInput: true,
        timeout: { after: 30, then: "skip" },
        choices: [countedStep("left", counter), countedStep("right", counter)],
      }),
      new Loop({
        name: "loop",
        maxIterations: 3,
        requiresIterationReview: true,
        timeout: { after: 40, then: "approve" },
        steps: [countedStep("body", counter)],
      }),
    ]);
    let run = await workflow.run("in");
    const seen: string[] = [];
    while (run.isPaused) {
      const active = run.stepRequirements.at(-1);
      seen.push(`${active?.kind}:${active?.stepName}:${(active?.timeoutAt?.getTime() ?? 0) - clock.now}`);
      clock.now += 60_000;
      assert.equal((await workflow.expirePausedRuns()).moved, 1);
      run = await stored(workflow, run);
    }
    assert.deepEqual(seen, [
      "confirmation:group:10000",
      "confirmation:check:20000",
      "route:route:30000",
      "iterationReview:loop:40000",
    ]);
    assert.equal(run.status, "completed");
    assert.deepEqual(
      ["a", "if", "else", "left", "right", "body"].map((name) => counter.of(name)),
      [1, 0, 1, 0, 0, 1],
      "approved, rejected to the else branch, skipped, the loop accepted after one iteration",
    );
  });

  it("escalates a gate twice, only the current approvers may decide it, then the final then applies", async () => {
    const counter = new Counter();
    const timeout: GateTimeout = {
      after: 60,
      remindEvery: 30,
      then: {
        escalateTo: ["directors"],
        timeout: { after: 120, then: { escalateTo: ["vp"], timeout: { after: 60, then: "cancel" } } },
      },
    };
    const { workflow, clock, db } = timed([
      countedStep("deploy", counter, { requiresConfirmation: true, approvers: ["leads"], timeout }),
    ]);
    const run = await workflow.run("go");
    clock.now += 30_000;
    const reminded = await workflow.expirePausedRuns();
    assert.deepEqual(
      reminded.reminders.map((reminder) => [reminder.kind, reminder.requirementId, reminder.level, reminder.deadline]),
      [["workflow", run.stepRequirements[0]?.id, 0, START + 60_000]],
    );
    clock.now += 30_000;
    const [a, b] = await Promise.all([workflow.expirePausedRuns(), workflow.expirePausedRuns()]);
    assert.equal(a.escalated + b.escalated, 1, "two sweeps at once escalate once");
    const first = await stored(workflow, run);
    assert.equal(first.status, "paused");
    assert.deepEqual(first.stepRequirements[0]?.escalation, { level: 1, approvers: ["directors"] });
    assert.equal(workflow.canDecide(LEAD, first), false);
    assert.equal(workflow.canDecide(DIRECTOR, first), true);
    first.stepRequirements[0]?.confirm();
    await assert.rejects(workflow.continueRun(first, { actor: LEAD }), { name: "NotAuthorizedError" });

    clock.now += 120_000;
    assert.equal((await workflow.expirePausedRuns()).escalated, 1);
    const second = await stored(workflow, run);
    assert.deepEqual(second.stepRequirements[0]?.escalation, { level: 2, approvers: ["vp"] });
    second.stepRequirements[0]?.confirm();
    await assert.rejects(workflow.continueRun(second, { actor: DIRECTOR }), { name: "NotAuthorizedError" });

    clock.now += 60_000;
    assert.equal((await workflow.expirePausedRuns()).moved, 1);
    const done = await stored(workflow, run);
    assert.equal(done.status, "cancelled");
    assert.equal(counter.of("deploy"), 0);
    const entries = await db.listDecisions({ runId: run.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.actorId, entry.automatic, JSON.parse(entry.decision).type, entry.gateKind]),
      [
        ["kern:timeout", true, "escalate", "confirmation"],
        ["kern:timeout", true, "escalate", "confirmation"],
        ["kern:timeout", true, "timeout", "confirmation"],
      ],
    );
    assert.equal((await verifyDecisionChain(db, { kind: "workflow", runId: run.runId })).ok, true);
  });

  it("lets the escalation's approvers decide the gate", async () => {
    const counter = new Counter();
    const { workflow, clock } = timed([
      countedStep("deploy", counter, {
        requiresConfirmation: true,
        approvers: ["leads"],
        timeout: { after: 60, then: { escalateTo: ["directors"] } },
      }),
    ]);
    const run = await workflow.run("go");
    clock.now += 600_000;
    await workflow.expirePausedRuns();
    const escalated = await stored(workflow, run);
    assert.equal(escalated.stepRequirements[0]?.timeoutAt, null, "no further deadline: the directors take their time");
    clock.now += 6_000_000;
    assert.equal((await workflow.expirePausedRuns()).moved, 0);
    escalated.stepRequirements[0]?.confirm();
    const done = await workflow.continueRun(escalated, { actor: DIRECTOR });
    assert.equal(done.status, "completed");
    assert.equal(counter.of("deploy"), 1);
  });

  it("refuses timeout with hitlTimeout, and timeout on a component without a gate", () => {
    const counter = new Counter();
    assert.throws(
      () =>
        countedStep("s", counter, { requiresConfirmation: true, hitlTimeout: 5, timeout: { after: 5, then: "skip" } }),
      { name: "ConfigurationError", message: /both timeout and hitlTimeout/ },
    );
    assert.throws(
      () => new Steps({ name: "g", steps: [countedStep("a", counter)], timeout: { after: 5, then: "skip" } }),
      { message: /Steps 'g' has no gate for a timeout/ },
    );
  });
});
