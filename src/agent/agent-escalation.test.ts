import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { GateTimeout } from "../runs/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { tool } from "../tools/index.js";
import { toolResultsIn } from "./agent.test-helper.js";
import { CONTROLLER, FINANCE, payer, START } from "./agent-timeout.test-helper.js";

describe("tool gate escalation", () => {
  const twoLevels: GateTimeout = {
    after: 60,
    then: {
      escalateTo: ["controllers"],
      timeout: { after: 120, then: { escalateTo: ["cfo"], timeout: { after: 30, then: "reject" } } },
    },
  };

  it("hands the call to each escalation's approvers in turn, then applies the final then", async () => {
    const { agent, model, db, paid, clock } = payer(twoLevels, { approvers: ["finance"] });
    const paused = await agent.run("Pay INV-7", { userId: "sam" });
    clock.now += 60_000;
    assert.deepEqual(await agent.expirePausedRuns(), { moved: 0, escalated: 1, reminders: [], skipped: [] });
    const first = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(first.status, "paused");
    const requirement = first.activeRequirements[0];
    assert.deepEqual(requirement?.escalation, { level: 1, approvers: ["controllers"] });
    assert.equal(requirement?.timeoutAt?.getTime(), clock.now + 120_000, "the escalation's own deadline");
    assert.equal(agent.canDecide(FINANCE, first), false, "the first approvers may no longer decide");
    assert.equal(agent.canDecide(CONTROLLER, first), true);
    requirement?.confirm();
    await assert.rejects(agent.continueRun(first, { actor: FINANCE }), { name: "NotAuthorizedError" });
    await assert.rejects(agent.continueRun(first), { name: "NotAuthorizedError" }, "code without an actor neither");

    clock.now += 120_000;
    assert.equal((await agent.expirePausedRuns()).escalated, 1);
    const second = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual(second.activeRequirements[0]?.escalation, { level: 2, approvers: ["cfo"] });
    assert.equal(agent.canDecide(CONTROLLER, second), false);

    clock.now += 30_000;
    assert.equal((await agent.expirePausedRuns()).moved, 1);
    const done = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(done.status, "completed");
    assert.deepEqual(paid, []);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "pay_invoice: The approval for this call lapsed after 210 seconds; it was not executed.",
    ]);
    const entries = await db.listDecisions({ runId: paused.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.actorId, entry.automatic, entry.decision]),
      [
        ["kern:timeout", true, '{"level":1,"to":["controllers"],"type":"escalate"}'],
        ["kern:timeout", true, '{"level":2,"to":["cfo"],"type":"escalate"}'],
        ["kern:timeout", true, '{"type":"timeout"}'],
      ],
    );
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: paused.runId })).ok, true);
  });

  it("lets the escalation's approvers decide; escalating in continueRun itself when the sweep has not yet", async () => {
    const { agent, db, paid, clock } = payer(twoLevels, { approvers: ["finance"] });
    const paused = await agent.run("Pay INV-7");
    clock.now += 60_000;
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused, { actor: FINANCE }), { name: "NotAuthorizedError" });
    const stored = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(
      stored.requirements[0]?.escalation,
      null,
      "a refused continue stores nothing, not even the escalation",
    );
    const done = await agent.continueRun(paused, { actor: CONTROLLER });
    assert.equal(done.status, "completed");
    assert.deepEqual(paid, ["INV-7"]);
    assert.deepEqual(
      (await db.listDecisions({ runId: paused.runId })).map((entry) => [
        entry.actorId,
        JSON.parse(entry.decision).type,
      ]),
      [
        ["kern:timeout", "escalate"],
        ["cora", "confirm"],
      ],
    );
  });

  it("escalates once when two sweeps run at once", async () => {
    const { agent, db, clock } = payer(twoLevels, { approvers: ["finance"] });
    const paused = await agent.run("Pay INV-7");
    clock.now += 60_000;
    const reports = await Promise.all([agent.expirePausedRuns(), agent.expirePausedRuns()]);
    assert.equal(reports[0].escalated + reports[1].escalated, 1);
    assert.equal((await db.listDecisions({ runId: paused.runId })).length, 1);
    const run = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.requirements[0]?.escalation?.level, 1);
  });
});

describe("tool gate reminders and options", () => {
  it("reports a reminder every remindEvery seconds while the call waits, once each", async () => {
    const { agent, clock } = payer({ after: 60, then: "reject", remindEvery: 20 });
    const paused = await agent.run("Pay INV-7");
    clock.now += 19_000;
    assert.deepEqual((await agent.expirePausedRuns()).reminders, []);
    clock.now += 1_000;
    const [first, second] = await Promise.all([agent.expirePausedRuns(), agent.expirePausedRuns()]);
    const reminders = [...first.reminders, ...second.reminders];
    assert.deepEqual(reminders, [
      {
        kind: "agent",
        ownerId: "Payer",
        runId: paused.runId,
        sessionId: paused.sessionId,
        requirementId: paused.activeRequirements[0]?.id,
        approvers: null,
        level: 0,
        deadline: START + 60_000,
      },
    ]);
    assert.deepEqual((await agent.expirePausedRuns()).reminders, [], "reported once");
    clock.now += 20_000;
    assert.equal((await agent.expirePausedRuns()).reminders.length, 1);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "paused");
  });

  it("refuses a timeout it cannot honour, at construction", () => {
    const base = { name: "t", parameters: z.object({ x: z.string() }), execute: () => "ok" };
    assert.throws(() => tool({ ...base, timeout: { after: 10, then: "reject" } }), {
      name: "ConfigurationError",
      message: /no gate for a timeout/,
    });
    assert.throws(() => tool({ ...base, userInputFields: ["x"], timeout: { after: 10, then: "approve" } }), {
      message: /cannot approve a call that needs a person's values/,
    });
    assert.throws(() => tool({ ...base, requiresConfirmation: true, timeout: { after: 0, then: "reject" } }), {
      message: /after must be a positive number of seconds/,
    });
    assert.throws(
      () =>
        tool({
          ...base,
          requiresConfirmation: true,
          timeout: { after: 10, then: { escalateTo: [] } },
        }),
      { message: /escalateTo must list/ },
    );
    assert.throws(
      () => tool({ ...base, requiresConfirmation: true, timeout: { after: 10, then: "later" as "reject" } }),
      { message: /then must be "approve", "reject", "skip", "cancel"/ },
    );
  });

  it("refuses a timeout decision sent by a client: only a deadline makes one", async () => {
    const { agent, paid } = payer({ after: 60, then: "approve" });
    const paused = await agent.run("Pay INV-7");
    const decisions = [
      { requirementId: paused.activeRequirements[0]?.id ?? "", decision: { type: "timeout" as const } },
    ];
    await assert.rejects(agent.continueRun({ runId: paused.runId, sessionId: paused.sessionId, decisions }), {
      name: "InvalidResolutionError",
    });
    assert.deepEqual(paid, []);
  });
});
