import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { text, toolCall } from "../testing/index.js";
import { Router } from "./components/router.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, gatedAgent } from "./workflow.test-helper.js";

describe("decisions sent as data", () => {
  it("decide every kind of workflow gate, and a step agent's tool call under its own id", async () => {
    const counter = new Counter();
    const db = new InMemoryDb();
    const { agent } = gatedAgent("Notifier", counter, db, [
      toolCall("Notifier_tool", { target: "ops" }),
      text("notified"),
    ]);
    const workflow = new Workflow({
      name: "all-gates",
      db,
      steps: [
        countedStep("approve", counter, { requiresConfirmation: true }),
        new Step({
          name: "form",
          requiresUserInput: true,
          userInputSchema: [{ name: "team", type: "string" }],
          executor: (input) =>
            `team ${String((input.additionalData["userInput"] as { team?: string } | undefined)?.team)}`,
        }),
        new Router({
          name: "route",
          requiresUserInput: true,
          choices: [new Step({ name: "email", agent }), countedStep("sms", counter)],
        }),
        countedStep("draft", counter, { requiresOutputReview: true }),
        new Step({
          name: "flaky",
          onError: "pause",
          executor: () => {
            throw new Error("down");
          },
        }),
      ],
    });
    const ref = (run: { runId: string; sessionId: string }) => ({ runId: run.runId, sessionId: run.sessionId });
    let run = await workflow.run("go");
    const step = (kind: string) => {
      const active = run.stepRequirements.at(-1);
      assert.equal(active?.kind, kind);
      return active?.id ?? "";
    };
    run = await workflow.continueRun({
      ...ref(run),
      decisions: [{ requirementId: step("confirmation"), decision: { type: "confirm" } }],
    });
    run = await workflow.continueRun({
      ...ref(run),
      decisions: [{ requirementId: step("userInput"), decision: { type: "input", values: { team: "blue" } } }],
    });
    run = await workflow.continueRun({
      ...ref(run),
      decisions: [{ requirementId: step("route"), decision: { type: "select", choices: ["email"] } }],
    });
    const calls = run.stepRequirements.at(-1)?.executorRequirements ?? [];
    assert.equal(run.pauseKind, "executor");
    run = await workflow.continueRun({
      ...ref(run),
      decisions: calls.map((call) => ({ requirementId: call.id, decision: { type: "confirm" as const } })),
    });
    assert.equal(counter.of("Notifier_tool"), 1);
    run = await workflow.continueRun({
      ...ref(run),
      decisions: [{ requirementId: step("outputReview"), decision: { type: "edit", output: "edited draft" } }],
    });
    run = await workflow.continueRun({
      ...ref(run),
      decisions: [{ requirementId: step("error"), decision: { type: "skip" } }],
    });
    assert.equal(run.status, "completed");
    assert.deepEqual(
      run.stepResults.map((output) => [output.stepName, output.content]),
      [
        ["approve", "approve(go)"],
        ["form", "team blue"],
        ["route", "notified"],
        ["draft", "edited draft"],
        ["flaky", null],
      ],
    );
    assert.deepEqual(
      run.stepRequirements.map((requirement) => requirement.decision?.type ?? "calls"),
      ["confirm", "input", "select", "calls", "edit", "skip"],
    );
  });

  it("refuse a decision that does not fit, in the words of the data, changing nothing", async () => {
    const db = new InMemoryDb();
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [countedStep("approve", new Counter(), { requiresConfirmation: true })],
    });
    const run = await workflow.run("go");
    const id = run.stepRequirements.at(-1)?.id ?? "";
    const before = await db.getRun("workflow", run.runId);
    await assert.rejects(
      workflow.continueRun({
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId: id, decision: { type: "edit", output: "x" } }],
      }),
      {
        name: "InvalidResolutionError",
        message:
          /a decision of type "edit" does not fit the confirmation pause of Step 'approve'; send one of \{"type":"confirm"\}, \{"type":"reject"/,
      },
    );
    await assert.rejects(
      workflow.continueRun({
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId: id, decision: { type: "timeout" } }],
      }),
      { name: "InvalidResolutionError" },
    );
    assert.deepEqual(await db.getRun("workflow", run.runId), before);
  });

  it("still read hand-written JSON of the old form (no schemaVersion, `confirmed` or `resolution`)", async () => {
    const counter = new Counter();
    const db = new InMemoryDb();
    const workflow = new Workflow({
      name: "w",
      db,
      steps: [countedStep("approve", counter, { requiresConfirmation: true })],
    });
    const run = await workflow.run("go");
    const done = await workflow.continueRun({
      runId: run.runId,
      sessionId: run.sessionId,
      stepRequirements: [{ id: run.stepRequirements.at(-1)?.id ?? "", confirmed: true } as never],
    });
    assert.equal(done.status, "completed");
    const { agent } = gatedAgent("A", counter, db);
    const paused = await agent.run("go");
    const decided = await agent.continueRun({
      runId: paused.runId,
      sessionId: paused.sessionId,
      requirements: [{ id: paused.activeRequirements[0]?.id ?? "", resolution: { type: "confirmed" } } as never],
    });
    assert.equal(decided.status, "completed");
    assert.equal(counter.of("A_tool"), 1);
  });
});
