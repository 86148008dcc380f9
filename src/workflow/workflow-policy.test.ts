import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { type StepPolicyContext, type ToolPolicyContext, verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { Counter, freshDb } from "./workflow.test-helper.js";

describe("gate policies in workflows", () => {
  it("a component's policy approves its gate without a pause and rejects another, recorded in the run's chain", async () => {
    const counter = new Counter();
    const db = freshDb();
    const workflow = new Workflow({
      name: "release",
      db,
      steps: [
        new Step({
          name: "notes",
          executor: () => {
            counter.hit("notes");
            return "notes written";
          },
          requiresConfirmation: true,
          policy: function trustedNotes() {
            return { verdict: "allow", reason: "release notes are low risk" };
          },
        }),
        new Step({
          name: "publish",
          executor: () => {
            counter.hit("publish");
            return "published";
          },
          requiresConfirmation: true,
          onReject: "skip",
          policy: function noFridayReleases(context: StepPolicyContext) {
            return context.stepName === "publish" ? { verdict: "deny", reason: "no releases on Fridays" } : "ask";
          },
        }),
      ],
    });
    const run = await workflow.run("v2.0");
    assert.equal(run.status, "completed");
    assert.deepEqual([counter.of("notes"), counter.of("publish")], [1, 0]);
    assert.deepEqual(
      run.stepRequirements.map((requirement) => [
        requirement.stepName,
        requirement.decision?.type,
        requirement.decidedBy?.id,
      ]),
      [
        ["notes", "confirm", "kern:policy:trustedNotes"],
        ["publish", "reject", "kern:policy:noFridayReleases"],
      ],
    );
    const entries = await db.listDecisions({ runId: run.runId });
    assert.deepEqual(
      entries.map((entry) => [entry.kind, entry.actorId, entry.automatic]),
      [
        ["workflow", "kern:policy:trustedNotes", true],
        ["workflow", "kern:policy:noFridayReleases", true],
      ],
    );
    assert.equal((await verifyDecisionChain(db, { kind: "workflow", runId: run.runId })).ok, true);
  });

  it("a Workflow's default decides gates without their own policy, step agents' tool gates included; ask still pauses", async () => {
    const db = freshDb();
    const sent: string[] = [];
    const send = tool({
      name: "send_alert",
      parameters: z.object({ city: z.string() }),
      requiresConfirmation: true,
      execute: ({ city }) => {
        sent.push(city);
        return `Sent for ${city}`;
      },
    });
    const agent = new Agent({
      name: "Alerter",
      model: new FakeModel([toolCall("send_alert", { city: "Oslo" }), text("Sent.")]),
      tools: [send],
      db,
    });
    const seen: string[] = [];
    const workflow = new Workflow({
      name: "alerts",
      db,
      steps: [
        new Step({ name: "plan", executor: () => "alert Oslo", requiresConfirmation: true }),
        new Step({ name: "send", agent }),
        new Step({ name: "archive", executor: () => "archived", requiresConfirmation: true }),
      ],
      policy: function alertsPolicy(context: ToolPolicyContext | StepPolicyContext) {
        seen.push(context.gate === "tool" ? `tool:${context.toolName}` : `step:${context.stepName}`);
        if (context.gate === "tool") return context.args["city"] === "Oslo" ? "allow" : "ask";
        return context.stepName === "plan" ? "allow" : "ask";
      },
    });
    let run = await workflow.run("Alert Oslo");
    assert.deepEqual(seen, ["step:plan", "tool:send_alert", "step:archive"]);
    assert.deepEqual(sent, ["Oslo"]);
    assert.equal(run.status, "paused");
    assert.equal(run.stepRequirements.at(-1)?.stepName, "archive");
    run.stepRequirements.at(-1)?.confirm();
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    const agentEntries = await db.listDecisions({ kind: "agent" });
    assert.deepEqual(
      agentEntries.map((entry) => entry.actorId),
      ["kern:policy:alertsPolicy"],
    );
  });
});
