import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { Db, RunRecord } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import { toolResultsIn } from "./agent.test-helper.js";

const PAYMENT = z
  .object({ invoice: z.string(), amount: z.number(), currency: z.string().default("EUR") })
  // A check across fields: zod keeps it on the object, so edits must pass it too.
  .refine((args) => args.amount <= 1_000 || args.currency === "JPY", {
    message: "amounts over 1000 need approval in JPY",
    path: ["amount"],
  });

interface Payments {
  agent: Agent;
  model: FakeModel;
  db: Db;
  paid: Array<Record<string, unknown>>;
}

/** An agent whose gated `pay_invoice` records each execution; the model asks to pay INV-7 40 EUR. */
function payments(options: { editableArgs?: boolean } = {}): Payments {
  const paid: Array<Record<string, unknown>> = [];
  const pay: Tool = tool({
    name: "pay_invoice",
    parameters: PAYMENT,
    requiresConfirmation: true,
    ...options,
    execute: (args) => {
      paid.push(args);
      return `Paid ${args.amount} ${args.currency} for ${args.invoice}`;
    },
  });
  const db = new InMemoryDb();
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7", amount: 40 }), text("Done.")]);
  return { agent: new Agent({ name: "Payer", model, tools: [pay], db }), model, db, paid };
}

async function stored(db: Db, runId: string): Promise<RunRecord> {
  const record = await db.getRun("agent", runId);
  assert.ok(record, `run ${runId} is stored`);
  return record;
}

describe("approve with edits: a person corrects a tool call's arguments", () => {
  it("runs the tool once with the edited arguments, tells the model, and records both in the decisions table", async () => {
    const { agent, model, db, paid } = payments();
    const paused = await agent.run("Pay INV-7");
    const [requirement] = paused.activeRequirements;
    assert.equal(requirement?.toolExecution.editableArgs, true);
    const shown = requirement?.shownDigest;
    requirement?.confirm({ args: { invoice: "INV-7", amount: 45 } });
    const done = await agent.continueRun(paused, { actor: { id: "alice", roles: ["finance"] } });

    assert.equal(done.status, "completed");
    assert.deepEqual(paid, [{ invoice: "INV-7", amount: 45, currency: "EUR" }]);
    const execution = done.tools[0];
    // Stored as the schema parsed them (the default filled in), beside what the model proposed.
    assert.deepEqual(execution?.toolArgs, { invoice: "INV-7", amount: 45, currency: "EUR" });
    assert.deepEqual(execution?.proposedArgs, { invoice: "INV-7", amount: 40, currency: "EUR" });
    assert.deepEqual(done.requirements[0]?.decision, {
      type: "confirm",
      args: { invoice: "INV-7", amount: 45, currency: "EUR" },
    });
    assert.equal(done.requirements[0]?.shownDigest, shown, "the digest stays that of the proposed call");

    const told = toolResultsIn(model.requests[1]?.messages ?? []);
    assert.deepEqual(told, [
      'pay_invoice: Approved with edited arguments: {"invoice":"INV-7","amount":45,"currency":"EUR"}. Paid 45 EUR for INV-7',
    ]);

    const [entry, ...rest] = await db.listDecisions({ runId: paused.runId });
    assert.equal(rest.length, 0);
    assert.equal(
      entry?.decision,
      '{"args":{"amount":45,"currency":"EUR","invoice":"INV-7"},"proposedArgs":{"amount":40,"currency":"EUR","invoice":"INV-7"},"type":"confirm"}',
    );
    assert.equal(entry?.shownDigest, shown);
    assert.equal(entry?.actorId, "alice");
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: paused.runId })).ok, true);
  });

  it("takes the edit as data, and treats arguments equal to the proposed ones as a plain approval", async () => {
    const edited = payments();
    const first = await edited.agent.run("Pay INV-7");
    const id = first.activeRequirements[0]?.id ?? "";
    const args = { invoice: "INV-8", amount: 900, currency: "USD" };
    const done = await edited.agent.continueRun({
      runId: first.runId,
      sessionId: first.sessionId,
      decisions: [{ requirementId: id, decision: { type: "confirm", args } }],
    });
    assert.deepEqual(edited.paid, [args]);
    assert.match(
      toolResultsIn(edited.model.requests[1]?.messages ?? [])[0] ?? "",
      /^pay_invoice: Approved with edited/,
    );

    const same = payments();
    const paused = await same.agent.run("Pay INV-7");
    paused.activeRequirements[0]?.confirm({ args: { amount: 40, invoice: "INV-7" } });
    const plain = await same.agent.continueRun(paused);
    assert.deepEqual(plain.requirements[0]?.decision, { type: "confirm" });
    assert.equal(plain.tools[0]?.proposedArgs, undefined);
    assert.deepEqual(toolResultsIn(same.model.requests[1]?.messages ?? []), ["pay_invoice: Paid 40 EUR for INV-7"]);
    assert.equal((await same.db.listDecisions({ runId: paused.runId }))[0]?.decision, '{"type":"confirm"}');
    assert.equal(done.status, "completed");
  });

  it("refuses invalid edits (a wrong type, a failing refinement) with InvalidResolutionError, changing nothing stored", async () => {
    const { agent, db, paid } = payments();
    const paused = await agent.run("Pay INV-7");
    const before = await stored(db, paused.runId);
    const requirement = paused.activeRequirements[0];

    requirement?.confirm({ args: { invoice: "INV-7", amount: "forty-five" } });
    await assert.rejects(agent.continueRun(paused), {
      name: "InvalidResolutionError",
      code: "KERN_INVALID_RESOLUTION",
      message:
        /edited arguments for tool call 'pay_invoice' .* are invalid: amount: Invalid input: expected number.*Nothing was changed/,
    });
    requirement?.confirm({ args: { invoice: "INV-7", amount: 5_000 } });
    await assert.rejects(agent.continueRun(paused), {
      name: "InvalidResolutionError",
      message: /are invalid: amount: amounts over 1000 need approval in JPY/,
    });
    await assert.rejects(
      agent.continueRun({
        runId: paused.runId,
        sessionId: paused.sessionId,
        decisions: [{ requirementId: requirement?.id ?? "", decision: { type: "confirm", args: { invoice: 7 } } }],
      }),
      { name: "InvalidResolutionError", message: /invoice: Invalid input: expected string/ },
    );
    assert.deepEqual(await stored(db, paused.runId), before);
    assert.deepEqual(await db.listDecisions(), []);
    assert.equal(paid.length, 0);

    // The run still waits, and a valid edit then runs it once.
    requirement?.confirm({ args: { invoice: "INV-7", amount: 5_000, currency: "JPY" } });
    assert.equal((await agent.continueRun(paused)).status, "completed");
    assert.deepEqual(paid, [{ invoice: "INV-7", amount: 5_000, currency: "JPY" }]);
  });

  it("refuses edits to a tool with editableArgs: false, in code and as data, and still takes a plain approval", async () => {
    const { agent, db, paid } = payments({ editableArgs: false });
    const paused = await agent.run("Pay INV-7");
    const before = await stored(db, paused.runId);
    const requirement = paused.activeRequirements[0];
    assert.equal(requirement?.toolExecution.editableArgs, false);
    assert.throws(() => requirement?.confirm({ args: { invoice: "INV-7", amount: 1 } }), {
      name: "InvalidResolutionError",
      message: /cannot be approved with edited arguments/,
    });
    assert.equal(requirement?.isResolved, false);
    await assert.rejects(
      agent.continueRun({
        runId: paused.runId,
        sessionId: paused.sessionId,
        decisions: [
          { requirementId: requirement?.id ?? "", decision: { type: "confirm", args: { invoice: "X", amount: 1 } } },
        ],
      }),
      { name: "InvalidResolutionError", message: /cannot be approved with edited arguments/ },
    );
    assert.deepEqual(await stored(db, paused.runId), before);
    requirement?.confirm();
    assert.equal((await agent.continueRun(paused)).status, "completed");
    assert.deepEqual(paid, [{ invoice: "INV-7", amount: 40, currency: "EUR" }]);
  });

  it("checks edits to a JSON Schema tool with its validate function, and refuses editableArgs on a tool without a confirmation gate", async () => {
    const sent: Array<Record<string, unknown>> = [];
    const notify = tool({
      name: "notify",
      inputSchema: { type: "object", properties: { to: { type: "string" } }, required: ["to"] },
      validate: (args) => (String(args["to"]).includes("@") ? null : "to: must be an email address"),
      requiresConfirmation: true,
      execute: (args) => {
        sent.push(args);
        return "sent";
      },
    });
    const model = new FakeModel([toolCall("notify", { to: "ops@example.com" }), text("Sent.")]);
    const agent = new Agent({ name: "Notifier", model, tools: [notify], db: new InMemoryDb() });
    const paused = await agent.run("Tell ops");
    const requirement = paused.activeRequirements[0];
    requirement?.confirm({ args: { to: "nobody" } });
    await assert.rejects(agent.continueRun(paused), { message: /are invalid: to: must be an email address/ });
    requirement?.confirm({ args: { to: "sre@example.com" } });
    await agent.continueRun(paused);
    assert.deepEqual(sent, [{ to: "sre@example.com" }]);

    assert.throws(() => tool({ name: "lookup", parameters: z.object({}), editableArgs: false, execute: () => "" }), {
      name: "ConfigurationError",
      message: /editableArgs without requiresConfirmation/,
    });
  });
});
