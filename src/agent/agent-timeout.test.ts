import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import type { GateTimeout } from "../runs/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCalls } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import { toolResultsIn } from "./agent.test-helper.js";
import { FINANCE, payer, START } from "./agent-timeout.test-helper.js";

describe("tool gate timeouts: what a lapsed deadline decides", () => {
  it("rejects: the call never runs and the model is told the approval lapsed, not that a person said no", async () => {
    const { agent, model, db, paid, clock } = payer({ after: 60, then: "reject" });
    const paused = await agent.run("Pay INV-7");
    assert.equal(
      paused.activeRequirements[0]?.timeoutAt?.getTime(),
      START + 60_000,
      "the deadline is on the agent's clock",
    );
    clock.now += 59_999;
    assert.deepEqual((await agent.expirePausedRuns()).moved, 0, "a millisecond before the deadline nothing happens");
    await assert.rejects(agent.continueRun(paused), { name: "UnresolvedRequirementError" });
    clock.now += 1;
    const report = await agent.expirePausedRuns();
    assert.deepEqual([report.moved, report.escalated, report.skipped], [1, 0, []]);
    const done = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(done.status, "completed");
    assert.deepEqual(paid, []);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "pay_invoice: The approval for this call lapsed after 60 seconds; it was not executed.",
    ]);
    const [requirement] = done.requirements;
    assert.deepEqual(requirement?.decision, { type: "timeout" });
    assert.deepEqual(requirement?.decidedBy, { kind: "timeout", id: "kern:timeout", roles: [] });
    assert.equal(requirement?.decidedAt, "2026-12-02T09:01:00.000Z");
    const entries = await db.listDecisions({ runId: paused.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.actorId, entry.automatic, entry.decision, entry.gateKind]),
      [["kern:timeout", true, '{"type":"timeout"}', "confirmation"]],
    );
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: paused.runId })).ok, true);
  });

  it("approves: the call runs exactly once, though two sweeps run at once", async () => {
    const { agent, db, paid, clock } = payer({ after: 60, then: "approve" });
    const twin = new Agent({ name: "Payer", model: new FakeModel([]), tools: [...agent.tools.values()], db });
    const paused = await agent.run("Pay INV-7");
    clock.now += 60_000;
    const reports = await Promise.all([agent.expirePausedRuns(), twin.expirePausedRuns(clock.now)]);
    assert.equal(reports[0].moved + reports[1].moved, 1, "exactly one sweep moved the run on");
    assert.deepEqual(paid, ["INV-7"]);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).content, "Done.");
    assert.equal((await db.listDecisions({ runId: paused.runId })).length, 1, "one audit entry for the deadline");
  });

  it("skips: the call never runs and the model is told it was skipped", async () => {
    const { agent, model, paid, clock } = payer({ after: 90, then: "skip" });
    const paused = await agent.run("Pay INV-7");
    clock.now += 90_000;
    const done = await agent.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.deepEqual(paid, []);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "pay_invoice: The approval for this call lapsed after 90 seconds; it was skipped, not executed.",
    ]);
  });

  it("cancels the run: nothing runs and the model is not called again", async () => {
    const { agent, model, db, paid, clock } = payer({ after: 60, then: "cancel" });
    const paused = await agent.run("Pay INV-7");
    clock.now += 61_000;
    assert.equal((await agent.expirePausedRuns()).moved, 1);
    const done = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(done.status, "cancelled");
    assert.deepEqual(paid, []);
    assert.equal(model.requests.length, 1);
    assert.equal(done.requirements[0]?.decidedBy?.kind, "timeout");
    assert.equal((await db.listDecisions({ runId: paused.runId })).length, 1);
    await assert.rejects(agent.continueRun(paused), { name: "RunNotPausedError" });
  });

  it("lets the deadline win over a decision made after it passed, in continueRun", async () => {
    const { agent, paid, clock } = payer({ after: 60, then: "reject" });
    const paused = await agent.run("Pay INV-7");
    clock.now += 60_000;
    paused.activeRequirements[0]?.confirm();
    const done = await agent.continueRun(paused, { actor: FINANCE });
    assert.deepEqual(paid, [], "the late approval is ignored");
    assert.equal(done.requirements[0]?.decidedBy?.kind, "timeout");
  });

  it("decides one call of a batch by its deadline while the other still waits for a person", async () => {
    const { agent, model, db, paid, clock } = batch({ after: 30, then: "reject" });
    const paused = await agent.run("Pay A, refund B");
    clock.now += 30_000;
    assert.deepEqual(await agent.expirePausedRuns(), { moved: 0, escalated: 0, reminders: [], skipped: [] });
    const waiting = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(waiting.status, "paused", "the other call still waits");
    assert.deepEqual(
      waiting.activeRequirements.map((requirement) => requirement.toolExecution.toolName),
      ["refund"],
    );
    assert.equal((await db.listPendingRequirements()).length, 1);
    waiting.activeRequirements[0]?.confirm();
    await agent.continueRun(waiting);
    assert.deepEqual(paid, ["refund:B"]);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "pay_invoice: The approval for this call lapsed after 30 seconds; it was not executed.",
      "refund: refund B",
    ]);
    assert.equal((await db.listDecisions({ runId: paused.runId })).length, 2, "the deadline's entry and the person's");
  });

  it("cancels at once when one call's deadline says so, though another call of the batch still waits", async () => {
    const { agent, paid, clock } = batch({ after: 30, then: "cancel" });
    const paused = await agent.run("Pay A, refund B");
    clock.now += 30_000;
    assert.equal((await agent.expirePausedRuns()).moved, 1);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "cancelled");
    assert.deepEqual(paid, []);
  });
});

/** An agent that calls two gated tools in one turn; only pay_invoice has `timeout`. */
function batch(timeout: GateTimeout) {
  const paid: string[] = [];
  const clock = { now: START };
  const make = (name: string, own?: GateTimeout): Tool =>
    tool({
      name,
      parameters: z.object({ invoice: z.string() }),
      requiresConfirmation: true,
      ...(own === undefined ? {} : { timeout: own }),
      execute: ({ invoice }) => {
        paid.push(`${name}:${invoice}`);
        return `${name} ${invoice}`;
      },
    });
  const model = new FakeModel([
    toolCalls([
      { name: "pay_invoice", args: { invoice: "A" } },
      { name: "refund", args: { invoice: "B" } },
    ]),
    text("Done."),
  ]);
  const db = new InMemoryDb();
  const tools = [make("pay_invoice", timeout), make("refund")];
  const agent = new Agent({ name: "Batch", model, tools, db, now: () => clock.now });
  return { agent, model, db, paid, clock };
}
