import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, type FakeScript, text, toolCall, toolCalls } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import { toolResultsIn } from "./agent.test-helper.js";

const START = Date.parse("2026-12-02T09:00:00.000Z");

/** Planner calls Payer as a tool; Payer's `pay_invoice` is gated (timeout and approvers as given). */
function payments(
  planner: FakeScript[],
  payer: FakeScript[],
  gate: { timeout?: { after: number; then: "reject" | "approve" }; approvers?: string[] } = {},
) {
  const paid: string[] = [];
  const clock = { now: START };
  const db = new InMemoryDb();
  const payInvoice = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string() }),
    requiresConfirmation: true,
    ...gate,
    execute: ({ invoice }) => {
      paid.push(invoice);
      return `Paid ${invoice}.`;
    },
  });
  const payerModel = new FakeModel(payer);
  const payerAgent = new Agent({ name: "Payer", model: payerModel, tools: [payInvoice], now: () => clock.now });
  const agent = new Agent({
    name: "Planner",
    model: new FakeModel(planner),
    tools: [payerAgent.asTool({ name: "pay" })],
    db,
    now: () => clock.now,
  });
  return { agent, db, paid, clock, payerModel };
}

const PAY = (invoice: string) => toolCall("pay", { input: `Pay ${invoice}` });

describe("agents as tools: the sub-agent's gates are governed like its own", () => {
  it("a deadline on the sub-agent's tool lapses through the calling run's sweep", async () => {
    const { agent, paid, clock, payerModel } = payments(
      [PAY("INV-7"), text("Nothing paid.")],
      [toolCall("pay_invoice", { invoice: "INV-7" }), text("The approval lapsed.")],
      { timeout: { after: 60, then: "reject" } },
    );
    const paused = await agent.run("Pay what is due");
    assert.equal(paused.activeRequirements[0]?.timeoutAt?.getTime(), START + 60_000);
    clock.now += 60_000;
    const report = await agent.expirePausedRuns();
    assert.deepEqual([report.moved, report.skipped], [1, []]);
    const done = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual([done.status, done.content], ["completed", "Nothing paid."]);
    assert.deepEqual(paid, []);
    assert.deepEqual(toolResultsIn(payerModel.requests[1]?.messages ?? []), [
      "pay_invoice: The approval for this call lapsed after 60 seconds; it was not executed.",
    ]);
  });

  it("checks the sub-agent's tool's approvers, and records the decision in the calling run's chain", async () => {
    const { agent, db, paid } = payments(
      [PAY("INV-8"), text("Paid.")],
      [toolCall("pay_invoice", { invoice: "INV-8" }), text("Paid INV-8.")],
      { approvers: ["finance"] },
    );
    const paused = await agent.run("Pay what is due", { userId: "dev-1" });
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused, { actor: { id: "bo", roles: ["dev"] } }), {
      name: "NotAuthorizedError",
    });
    assert.deepEqual(paid, []);
    assert.equal(agent.canDecide({ id: "fin", roles: ["finance"] }, paused), true);
    assert.equal(agent.canDecide({ id: "bo", roles: ["dev"] }, paused), false);
    const done = await agent.continueRun(paused, { actor: { id: "fin", roles: ["finance"] } });
    assert.deepEqual([done.status, paid], ["completed", ["INV-8"]]);
    const [decision] = done.requirements;
    assert.deepEqual([decision?.path, decision?.decidedBy?.id], [["Planner", "Payer", "pay_invoice"], "fin"]);
    const entries = await db.listDecisions({ runId: paused.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.requirementId, entry.actorId]),
      [[decision?.id, "fin"]],
    );
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: paused.runId })).ok, true);
  });

  it("a grant on the sub-agent's call approves its later calls in the session, for that agent's tool", async () => {
    const { agent, db, paid } = payments(
      [PAY("INV-1"), text("Paid one."), PAY("INV-2"), text("Paid two.")],
      [
        toolCall("pay_invoice", { invoice: "INV-1" }),
        text("Paid INV-1."),
        toolCall("pay_invoice", { invoice: "INV-2" }),
        text("Paid INV-2."),
      ],
    );
    const first = await agent.run("Pay INV-1", { sessionId: "s-1" });
    first.activeRequirements[0]?.confirm({ grant: { scope: "session" } });
    await agent.continueRun(first);
    const [grant] = await db.listGrants();
    assert.deepEqual([grant?.ownerId, grant?.toolName, grant?.scopeId], ["Payer", "pay_invoice", "s-1"]);
    const second = await agent.run("Pay INV-2", { sessionId: "s-1" });
    assert.deepEqual([second.status, paid], ["completed", ["INV-1", "INV-2"]], "no pause: the grant approved it");
    assert.equal(second.subRuns[0]?.requirements[0]?.decidedBy?.kind, "grant");
  });

  it("two sub-agent calls of one turn pause together and are decided each on its own", async () => {
    const { agent, paid } = payments(
      [
        toolCalls([
          { name: "pay", args: { input: "Pay INV-1" } },
          { name: "pay", args: { input: "Pay INV-2" } },
        ]),
        text("Done."),
      ],
      [
        (request) =>
          toolCall("pay_invoice", { invoice: /INV-1/.test(JSON.stringify(request.messages[0])) ? "INV-1" : "INV-2" }),
        (request) =>
          toolCall("pay_invoice", { invoice: /INV-1/.test(JSON.stringify(request.messages[0])) ? "INV-1" : "INV-2" }),
        text("Paid."),
        text("Not paid."),
      ],
    );
    const paused = await agent.run("Pay both");
    const [one, two] = paused.activeRequirements;
    assert.deepEqual(
      [one?.toolExecution.toolArgs, two?.toolExecution.toolArgs],
      [{ invoice: "INV-1" }, { invoice: "INV-2" }],
    );
    one?.confirm();
    two?.reject("Not this one.");
    const done = await agent.continueRun(paused);
    assert.deepEqual([done.status, paid], ["completed", ["INV-1"]]);
    assert.deepEqual(
      done.subRuns.map((sub) => sub.status),
      ["completed", "completed"],
    );
  });
});
