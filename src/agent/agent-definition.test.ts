import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";

/**
 * The "payments" agent as one version of the code defines it: its gated tool and what it takes.
 * Each is a new process's object: its model starts a run by asking to pay, and answers after that.
 */
function paymentsAgent(
  db: InMemoryDb,
  version: "v1" | "v2" | "v3",
  ran: string[],
  options: { previousVersions?: Agent[]; starting?: boolean } = {},
): Agent {
  const amount =
    version === "v2" ? z.object({ invoice: z.string(), cents: z.number() }) : z.object({ invoice: z.string() });
  const pay = tool({
    name: "pay",
    parameters: amount,
    requiresConfirmation: true,
    execute: ({ invoice }) => {
      ran.push(`${version}:${invoice}`);
      return "paid";
    },
  });
  const audit = tool({ name: "audit", parameters: z.object({}), execute: () => "ok" });
  const tools = version === "v3" ? [pay, audit] : [pay];
  const model = new FakeModel(options.starting === true ? [toolCall("pay", { invoice: "42" })] : [text("Paid.")]);
  return new Agent({ name: "Payer", model, tools, db, previousVersions: options.previousVersions ?? [] });
}

describe("an agent run paused under another definition", () => {
  it("is refused when a gated tool's parameters changed, and served by the registered previous version", async () => {
    const db = new InMemoryDb();
    const ran: string[] = [];
    const paused = await paymentsAgent(db, "v1", ran, { starting: true }).run("Pay invoice 42");
    paused.activeRequirements[0]?.confirm();
    const before = await db.getRun("agent", paused.runId);
    await assert.rejects(paymentsAgent(db, "v2", ran).continueRun(paused), {
      name: "DefinitionChangedError",
      code: "KERN_DEFINITION_CHANGED",
      message: /previousVersions.*allowDefinitionChange/s,
    });
    assert.deepEqual(await db.getRun("agent", paused.runId), before, "nothing changed");
    const live = paymentsAgent(db, "v2", ran, { previousVersions: [paymentsAgent(db, "v1", ran)] });
    assert.equal((await live.continueRun(paused)).status, "completed");
    assert.deepEqual(ran, ["v1:42"], "the definition the person approved ran the call");
  });

  it("continues with allowDefinitionChange when the tools it waits on are unchanged, but never applies an approval to a tool that is gone", async () => {
    const db = new InMemoryDb();
    const ran: string[] = [];
    const paused = await paymentsAgent(db, "v1", ran, { starting: true }).run("Pay invoice 42");
    paused.activeRequirements[0]?.confirm();
    const widened = paymentsAgent(db, "v3", ran);
    await assert.rejects(widened.continueRun(paused), { name: "DefinitionChangedError" });
    const done = await widened.continueRun(paused, { allowDefinitionChange: true });
    assert.equal(done.status, "completed");
    assert.equal(done.toJSON().fingerprint, widened.fingerprint);
    assert.deepEqual(ran, ["v3:42"]);

    const second = await paymentsAgent(db, "v1", ran, { starting: true }).run("Pay invoice 43");
    second.activeRequirements[0]?.confirm();
    const noTool = new Agent({ name: "Payer", model: new FakeModel([]), tools: [], db });
    await assert.rejects(noTool.continueRun(second, { allowDefinitionChange: true }), {
      name: "DefinitionChangedError",
      message: /tool 'pay' is no longer defined.*an approval is never applied/s,
    });
    assert.equal((await db.getRun("agent", second.runId))?.status, "paused");
  });

  it("gives equal definitions equal fingerprints, whatever the tools' order, descriptions or model", () => {
    const db = new InMemoryDb();
    const first = paymentsAgent(db, "v3", []);
    const pay = tool({
      name: "pay",
      description: "Pays an invoice.",
      parameters: z.object({ invoice: z.string() }),
      requiresConfirmation: true,
      execute: () => "paid",
    });
    const audit = tool({ name: "audit", parameters: z.object({}), execute: () => "ok" });
    const reordered = new Agent({
      name: "Payer",
      model: new FakeModel([], { id: "other" }),
      tools: [audit, pay],
      instructions: "Be careful.",
      db,
    });
    assert.equal(reordered.fingerprint, first.fingerprint);
    assert.notEqual(paymentsAgent(db, "v1", []).fingerprint, first.fingerprint);
  });
});
