import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { type ToolPolicyContext, verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";

function smallPayments(context: ToolPolicyContext) {
  const amount = Number(context.args["amount"]);
  if (amount < 100) return { verdict: "allow" as const, reason: `${amount} EUR is under the 100 EUR limit` };
  if (amount > 10_000) return { verdict: "deny" as const, reason: "over the 10 000 EUR ceiling" };
  return "ask" as const;
}

function payer(amount: number, options: { toolPolicy?: boolean; agentPolicy?: boolean } = {}) {
  const paid: number[] = [];
  const pay = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string(), amount: z.number() }),
    requiresConfirmation: true,
    ...(options.toolPolicy === false ? {} : { policy: smallPayments }),
    execute: ({ amount: value }) => {
      paid.push(value);
      return `Paid ${value} EUR`;
    },
  });
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7", amount }), text("Done.")]);
  const db = new InMemoryDb();
  const agent = new Agent({
    name: "Payer",
    model,
    tools: [pay],
    db,
    ...(options.agentPolicy === true
      ? {
          policy: function denyAll() {
            return { verdict: "deny" as const, reason: "frozen account" };
          },
        }
      : {}),
  });
  return { agent, db, model, paid };
}

describe("gate policies", () => {
  it("allow: the call runs without a pause, recorded as an automatic decision with the policy's name and reason", async () => {
    const { agent, db, paid } = payer(40);
    const run = await agent.run("Pay INV-7");
    assert.equal(run.status, "completed");
    assert.deepEqual(paid, [40]);
    assert.deepEqual(run.requirements[0]?.decidedBy, {
      kind: "policy",
      id: "kern:policy:smallPayments",
      roles: [],
      name: "smallPayments",
      reason: "40 EUR is under the 100 EUR limit",
    });
    const [entry, ...rest] = await db.listDecisions({ runId: run.runId });
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [entry?.actorId, entry?.automatic, entry?.gateKind],
      ["kern:policy:smallPayments", true, "confirmation"],
    );
    assert.equal(
      entry?.decision,
      '{"policy":"smallPayments","reason":"40 EUR is under the 100 EUR limit","type":"confirm"}',
    );
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: run.runId })).ok, true);
  });

  it("deny: the call never runs and the model is told the policy's reason", async () => {
    const { agent, db, model, paid } = payer(50_000);
    const run = await agent.run("Pay INV-7");
    assert.equal(run.status, "completed");
    assert.deepEqual(paid, []);
    const told = model.requests[1]?.messages.at(-1);
    assert.deepEqual(told, {
      role: "tool",
      toolCallId: "call_1",
      toolName: "pay_invoice",
      content: "Policy 'smallPayments' denied this call; it was not executed. Reason: over the 10 000 EUR ceiling",
    });
    const [entry] = await db.listDecisions({ runId: run.runId });
    assert.equal(
      entry?.decision,
      '{"feedback":"over the 10 000 EUR ceiling","policy":"smallPayments","reason":"over the 10 000 EUR ceiling","type":"reject"}',
    );
  });

  it("ask: the call pauses for a person as before, and the chain holds the person's decision", async () => {
    const { agent, db, paid } = payer(500);
    const paused = await agent.run("Pay INV-7");
    assert.equal(paused.status, "paused");
    assert.deepEqual(await db.listDecisions(), []);
    paused.activeRequirements[0]?.confirm();
    const done = await agent.continueRun(paused, { actor: { id: "fred", roles: ["finance"] } });
    assert.deepEqual([done.status, paid], ["completed", [500]]);
    assert.deepEqual(
      (await db.listDecisions()).map((entry) => entry.actorId),
      ["fred"],
    );
  });

  it("uses the agent's policy for tools without their own, and a tool's own before it", async () => {
    const agentOnly = payer(40, { toolPolicy: false, agentPolicy: true });
    const denied = await agentOnly.agent.run("Pay INV-7");
    assert.deepEqual([denied.status, agentOnly.paid], ["completed", []]);
    assert.equal(denied.requirements[0]?.decidedBy?.id, "kern:policy:denyAll");
    const both = payer(40, { agentPolicy: true });
    const allowed = await both.agent.run("Pay INV-7");
    assert.deepEqual([allowed.status, both.paid], ["completed", [40]]);
  });

  it("asks a person when the policy throws or answers nonsense, and when allow would need values", async () => {
    const throwing = tool({
      name: "deploy",
      parameters: z.object({}),
      requiresConfirmation: true,
      policy: async () => {
        throw new Error("policy service down");
      },
      execute: () => "deployed",
    });
    const agent = new Agent({
      name: "Deployer",
      model: new FakeModel([toolCall("deploy", {})]),
      tools: [throwing],
      db: new InMemoryDb(),
    });
    assert.equal((await agent.run("Deploy")).status, "paused");
    const form = tool({
      name: "book",
      parameters: z.object({ seats: z.number() }),
      userInputFields: ["seats"],
      policy: () => "allow",
      execute: ({ seats }) => `booked ${seats}`,
    });
    const booker = new Agent({
      name: "Booker",
      model: new FakeModel([toolCall("book", {})]),
      tools: [form],
      db: new InMemoryDb(),
    });
    assert.equal((await booker.run("Book")).status, "paused");
  });

  it("refuses a policy that is not a function, or on a tool without a gate", () => {
    const base = { name: "t", parameters: z.object({}), execute: () => "ok" };
    assert.throws(() => tool({ ...base, policy: () => "allow" }), {
      name: "ConfigurationError",
      message: /no gate for a policy/,
    });
    assert.throws(() => tool({ ...base, requiresConfirmation: true, policy: "allow" as never }), {
      message: /policy must be a function/,
    });
  });
});
