import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { Db, RunRecord } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { Principal } from "../runs/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";

const ALICE: Principal = { id: "alice", roles: ["finance"], name: "Alice" };
const BOB: Principal = { id: "bob", roles: ["ops"] };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Payments {
  agent: Agent;
  db: Db;
  paid: Array<Record<string, unknown>>;
}

/** An agent with one gated payment tool, governed by `gate`; the model asks to pay `amount`. */
function payments(gate: Pick<Parameters<typeof tool>[0], "approvers" | "allowSelfApproval">, amount = 40): Payments {
  const paid: Array<Record<string, unknown>> = [];
  const pay: Tool = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string(), amount: z.number() }),
    requiresConfirmation: true,
    ...gate,
    execute: (args) => {
      paid.push(args);
      return `Paid ${args.invoice}`;
    },
  });
  const db = new InMemoryDb();
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7", amount }), text("Done.")]);
  return { agent: new Agent({ name: "Payer", model, tools: [pay], db }), db, paid };
}

async function stored(db: Db, runId: string): Promise<RunRecord> {
  const record = await db.getRun("agent", runId);
  assert.ok(record, `run ${runId} is stored`);
  return record;
}

describe("governed tool gates: who may decide", () => {
  it("refuses a principal outside approvers with NotAuthorizedError, storing nothing and running nothing", async () => {
    const { agent, db, paid } = payments({ approvers: ["finance"] });
    const paused = await agent.run("Pay INV-7", { userId: "carol" });
    const before = await stored(db, paused.runId);
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused, { actor: BOB }), {
      name: "NotAuthorizedError",
      code: "KERN_NOT_AUTHORIZED",
      message: /Principal 'bob' may not decide requirement .*only finance may decide it/,
    });
    assert.deepEqual(await stored(db, paused.runId), before);
    assert.deepEqual(await db.listDecisions(), []);
    assert.equal(paid.length, 0);
    assert.equal(agent.canDecide(BOB, paused), false);
    assert.equal(agent.canDecide(ALICE, paused), true);
  });

  it("lets an approver decide: the tool runs once and the requirement records who decided and when", async () => {
    const { agent, db, paid } = payments({ approvers: ["finance"] });
    const paused = await agent.run("Pay INV-7", { userId: "carol" });
    const shown = paused.activeRequirements[0]?.shownDigest;
    paused.activeRequirements[0]?.confirm();
    const done = await agent.continueRun(paused, { actor: ALICE });
    assert.equal(done.status, "completed");
    assert.equal(paid.length, 1);
    const [requirement] = done.requirements;
    assert.deepEqual(requirement?.decidedBy, { kind: "principal", id: "alice", roles: ["finance"], name: "Alice" });
    assert.match(requirement?.decidedAt ?? "", ISO);
    const json = JSON.parse(JSON.stringify(requirement)) as Record<string, unknown>;
    assert.deepEqual(json["decidedBy"], requirement?.decidedBy);
    const [entry, ...rest] = await db.listDecisions({ runId: paused.runId });
    assert.equal(rest.length, 0);
    assert.equal(entry?.actorId, "alice");
    assert.deepEqual(entry?.actorRoles, ["finance"]);
    assert.equal(entry?.automatic, false);
    assert.equal(entry?.gateKind, "confirmation");
    assert.equal(entry?.decision, '{"type":"confirm"}');
    assert.equal(entry?.shownDigest, shown);
    assert.equal(new Date(entry?.decidedAt ?? 0).toISOString(), requirement?.decidedAt);
    assert.deepEqual(await verifyDecisionChain(db, { kind: "agent", runId: paused.runId }), {
      ok: true,
      entries: 1,
      problem: null,
      seq: null,
    });
  });

  it("refuses self-approval when allowSelfApproval is false, and lets another principal approve", async () => {
    const { agent, db, paid } = payments({ allowSelfApproval: false });
    const paused = await agent.run("Pay INV-7", { userId: "alice" });
    const before = await stored(db, paused.runId);
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused, { actor: ALICE }), {
      name: "NotAuthorizedError",
      message: /may not approve its own gate/,
    });
    assert.deepEqual(await stored(db, paused.runId), before);
    assert.equal((await agent.continueRun(paused, { actor: BOB })).status, "completed");
    assert.equal(paid.length, 1);
  });

  it("asks an approvers function about the actor and the tool call it would approve", async () => {
    const seen: string[] = [];
    const small = (actor: Principal, requirement: { toolExecution: { toolArgs: Record<string, unknown> } }) => {
      seen.push(`${actor.id}:${String(requirement.toolExecution.toolArgs["amount"])}`);
      return Number(requirement.toolExecution.toolArgs["amount"]) < 100 || (actor.roles ?? []).includes("cfo");
    };
    const large = payments({ approvers: small }, 5_000);
    const paused = await large.agent.run("Pay INV-7");
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(large.agent.continueRun(paused, { actor: BOB }), { name: "NotAuthorizedError" });
    const done = await large.agent.continueRun(paused, { actor: { id: "dana", roles: ["cfo"] } });
    assert.equal(done.requirements[0]?.decidedBy?.id, "dana");
    assert.deepEqual(seen, ["bob:5000", "dana:5000"]);
  });

  it("records code as the decider without an actor, and refuses code on a gate that names approvers", async () => {
    const open = payments({});
    const paused = await open.agent.run("Pay INV-7");
    paused.activeRequirements[0]?.reject("not this month");
    const done = await open.agent.continueRun(paused);
    assert.deepEqual(done.requirements[0]?.decidedBy, { kind: "code", id: "kern:code", roles: [] });
    const [entry] = await open.db.listDecisions();
    assert.deepEqual([entry?.actorId, entry?.automatic], ["kern:code", true]);
    assert.equal(entry?.decision, '{"feedback":"not this month","type":"reject"}');

    const governed = payments({ approvers: ["finance"] });
    const waiting = await governed.agent.run("Pay INV-7");
    waiting.activeRequirements[0]?.confirm();
    await assert.rejects(governed.agent.continueRun(waiting), {
      name: "NotAuthorizedError",
      message: /needs an actor/,
    });
  });

  it("tells a decision that lost the race who decided first", async () => {
    const pay = tool({
      name: "pay_invoice",
      parameters: z.object({ invoice: z.string() }),
      requiresConfirmation: true,
      execute: (args) => `Paid ${args.invoice}`,
    });
    const model = new FakeModel([
      toolCall("pay_invoice", { invoice: "INV-7" }),
      toolCall("pay_invoice", { invoice: "INV-8" }),
      text("Done."),
    ]);
    const agent = new Agent({ name: "Payer", model, tools: [pay], db: new InMemoryDb() });
    const paused = await agent.run("Pay INV-7 and INV-8");
    const late = JSON.parse(JSON.stringify(paused.activeRequirements)) as Array<{ id: string }>;
    paused.activeRequirements[0]?.confirm();
    await agent.continueRun(paused, { actor: ALICE });
    await assert.rejects(
      agent.continueRun({
        runId: paused.runId,
        sessionId: paused.sessionId,
        requirements: late.map((entry) => ({ ...entry, decision: { type: "reject", feedback: null } })),
      }),
      { name: "RequirementResolvedError", message: /already decided \(confirm\) by alice \(finance\) at \d{4}-/ },
    );
  });
});

describe("tool() checks its gate options", () => {
  it("refuses approvers on a tool without a gate, an empty list and a non-boolean allowSelfApproval", () => {
    const base = { name: "t", parameters: z.object({}), execute: () => "ok" };
    assert.throws(() => tool({ ...base, approvers: ["finance"] }), { name: "ConfigurationError", message: /no gate/ });
    assert.throws(() => tool({ ...base, requiresConfirmation: true, approvers: [] }), {
      name: "ConfigurationError",
      message: /nobody could decide/,
    });
    assert.throws(() => tool({ ...base, requiresConfirmation: true, allowSelfApproval: "no" as unknown as boolean }), {
      name: "ConfigurationError",
      message: /allowSelfApproval must be true or false/,
    });
  });
});
