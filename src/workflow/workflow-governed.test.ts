import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { Principal } from "../runs/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { Counter, freshDb, pauseLabel } from "./workflow.test-helper.js";

const LEAD: Principal = { id: "lena", roles: ["lead"] };
const FINANCE: Principal = { id: "fred", roles: ["finance"] };

/** A step gate only a lead may pass, then an agent whose payment only finance may approve. */
function governed(counter: Counter, db = freshDb()): Workflow {
  const pay = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string() }),
    requiresConfirmation: true,
    approvers: ["finance"],
    execute: ({ invoice }) => {
      counter.hit("pay_invoice");
      return `Paid ${invoice}`;
    },
  });
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7" }), text("Paid.")]);
  const agent = new Agent({ name: "Payer", model, tools: [pay], db });
  return new Workflow({
    name: "payables",
    db,
    steps: [
      new Step({
        name: "plan",
        executor: () => "pay INV-7",
        requiresConfirmation: true,
        approvers: ["lead"],
        allowSelfApproval: false,
      }),
      new Step({ name: "pay", agent }),
    ],
  });
}

describe("governed workflow gates", () => {
  it("lets each principal decide only their own gate, and records both in the run's chain", async () => {
    const counter = new Counter();
    const workflow = governed(counter);
    let run = await workflow.run("Pay this week's invoices", { userId: "lena" });
    assert.equal(pauseLabel(run), "confirmation:plan");
    assert.equal(workflow.canDecide(FINANCE, run), false);
    // The lead started the run, so self-approval refuses her; another lead may decide.
    assert.equal(workflow.canDecide(LEAD, run), false);
    const otherLead: Principal = { id: "leo", roles: ["lead"] };
    assert.equal(workflow.canDecide(otherLead, run), true);
    run.stepRequirements.at(-1)?.confirm();
    const before = await workflow.db.getRun("workflow", run.runId);
    await assert.rejects(workflow.continueRun(run, { actor: FINANCE }), {
      name: "NotAuthorizedError",
      message: /only lead may decide it/,
    });
    await assert.rejects(workflow.continueRun(run, { actor: LEAD }), {
      name: "NotAuthorizedError",
      message: /may not approve its own gate/,
    });
    assert.deepEqual(await workflow.db.getRun("workflow", run.runId), before);
    run = await workflow.continueRun(run, { actor: otherLead });
    assert.equal(pauseLabel(run), "executor:pay");
    const call = run.stepRequirements.at(-1)?.executorRequirements[0];
    assert.equal(workflow.canDecide(otherLead, run), false);
    assert.equal(workflow.canDecide(FINANCE, run, call?.id), true);
    call?.confirm();
    await assert.rejects(workflow.continueRun(run, { actor: otherLead }), {
      name: "NotAuthorizedError",
      message: /only finance may decide it/,
    });
    assert.equal(counter.of("pay_invoice"), 0);
    const done = await workflow.continueRun(run, { actor: FINANCE });
    assert.equal(done.status, "completed");
    assert.equal(counter.of("pay_invoice"), 1);

    const [plan, payment] = done.stepRequirements;
    assert.deepEqual([plan?.decidedBy?.id, payment?.executorRequirements[0]?.decidedBy?.id], ["leo", "fred"]);
    const entries = await workflow.db.listDecisions({ runId: run.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.kind, entry.seq, entry.gateKind, entry.actorId, entry.actorRoles]),
      [
        ["workflow", 1, "confirmation", "leo", ["lead"]],
        ["workflow", 2, "confirmation", "fred", ["finance"]],
      ],
    );
    assert.equal(entries[0]?.shownDigest, plan?.shownDigest);
    assert.equal(entries[1]?.shownDigest, payment?.executorRequirements[0]?.shownDigest);
    // The step's agent copies the stamps; its decisions live in the workflow's chain only.
    const agentRunId = payment?.executorRunId ?? "";
    const agentRun = await workflow.db.getRun("agent", agentRunId);
    assert.ok(agentRun);
    assert.match(agentRun.state, /"decidedBy":\{"kind":"principal","id":"fred"/);
    assert.deepEqual(await workflow.db.listDecisions({ kind: "agent" }), []);
    assert.equal((await verifyDecisionChain(workflow.db, { kind: "workflow", runId: run.runId })).ok, true);
  });

  it("records a lapsed gate as decided by its deadline, automatic, without asking who may decide", async () => {
    let now = Date.parse("2026-12-02T09:00:00Z");
    const workflow = new Workflow({
      name: "deadline",
      db: freshDb(),
      now: () => now,
      steps: [
        new Step({
          name: "deploy",
          executor: () => "deployed",
          requiresConfirmation: true,
          approvers: ["lead"],
          hitlTimeout: 60,
          onTimeout: "approve",
        }),
      ],
    });
    const run = await workflow.run("go");
    now += 61_000;
    assert.equal((await workflow.expirePausedRuns()).moved, 1);
    const done = await workflow.getRunOutput(run.runId, run.sessionId);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.stepRequirements[0]?.decidedBy, { kind: "timeout", id: "kern:timeout", roles: [] });
    assert.equal(done.stepRequirements[0]?.decidedAt, "2026-12-02T09:01:01.000Z");
    const [entry] = await workflow.db.listDecisions({ runId: run.runId });
    assert.deepEqual(
      [entry?.actorId, entry?.automatic, entry?.decision, entry?.gateKind],
      ["kern:timeout", true, '{"type":"timeout"}', "confirmation"],
    );
  });
});
