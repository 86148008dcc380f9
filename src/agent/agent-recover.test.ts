import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord } from "../db/db.js";
import { text, toolCall } from "../testing/index.js";
import { CrashingDb, LATER, saveOf, toolResultCheckpoint } from "../workflow/crashing-db.test-helper.js";
import { Counter, gatedAgent } from "../workflow/workflow.test-helper.js";

/** A paused run of the gated agent, approved, whose next continue dies at the write `crashOn` picks. */
async function crashInContinue(
  crashOn: (record: RunRecord) => boolean,
  script = [toolCall("AlertAgent_tool", { target: "Tokyo" }), text("Done.")],
) {
  const counter = new Counter();
  const db = new CrashingDb();
  const { agent, model } = gatedAgent("AlertAgent", counter, db, script);
  const paused = await agent.run("alert");
  paused.activeRequirements[0]?.confirm();
  db.crashOn = crashOn;
  await assert.rejects(agent.continueRun(paused), /process died/);
  return { counter, db, agent, model, paused };
}

describe("agent.recover() after a process died inside continueRun", () => {
  it("turns a call that ran but whose result was never stored into a retry-or-skip requirement", async () => {
    const { counter, agent, model, paused } = await crashInContinue(toolResultCheckpoint);
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).status, "running");

    assert.deepEqual((await agent.recover()).agentRuns, [], "a live lease is left alone");
    const { agentRuns } = await agent.recover({ now: LATER });
    assert.deepEqual(
      agentRuns.map((run) => [run.runId, run.uncertainToolCalls.length, run.needsDecision]),
      [[paused.runId, 1, true]],
    );
    const run = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.status, "paused");
    const [uncertain, ...others] = run.activeRequirements;
    assert.equal(others.length, 0);
    assert.equal(uncertain?.isRecovered, true);
    assert.match(uncertain?.needs ?? "", /may or may not have run/);
    assert.throws(() => run.requirements[0]?.confirm(), { name: "RequirementResolvedError" });

    uncertain?.reject();
    const done = await agent.continueRun(run);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const told = model.requests
      .at(-1)
      ?.messages.filter((message) => message.role === "tool")
      .map((message) => message.content);
    assert.deepEqual(told, [
      "This tool call may or may not have run before the process running it stopped; the user chose not to run it again.",
    ]);
  });

  it("runs such a call again only when a person confirms the retry", async () => {
    // The process died before the model was called again: its next answer goes to the retry.
    const { counter, agent, paused } = await crashInContinue(toolResultCheckpoint, [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      text("Sent again."),
    ]);
    await agent.recover({ now: LATER });
    const run = await agent.getRunOutput(paused.runId, paused.sessionId);
    run.activeRequirements[0]?.confirm();
    assert.equal((await agent.continueRun(run)).content, "Sent again.");
    assert.equal(counter.of("AlertAgent_tool"), 2, "the person was told it may have run, and chose to run it again");
  });

  it("never asks about a call whose result was stored: a crash during the next model call resumes with nothing to decide", async () => {
    // The model answered once before the process died storing the end; it is asked again.
    const { counter, agent, model, paused } = await crashInContinue(saveOf("agent", "completed"), [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      text("lost"),
      text("Done."),
    ]);
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const { agentRuns } = await agent.recover({ now: LATER });
    assert.deepEqual(
      agentRuns.map((run) => [run.uncertainToolCalls, run.needsDecision]),
      [[[], false]],
    );
    const run = await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.equal(run.status, "paused");
    assert.deepEqual(run.activeRequirements, []);
    assert.equal(run.tools[0]?.result, "AlertAgent_tool done for Tokyo", "the result survived the crash");
    const done = await agent.continueRun({ runId: run.runId, sessionId: run.sessionId });
    assert.equal(done.content, "Done.");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    const told = model.requests
      .at(-1)
      ?.messages.filter((message) => message.role === "tool")
      .map((message) => message.content);
    assert.deepEqual(told, ["AlertAgent_tool done for Tokyo"], "the model is told the stored result");
  });

  it("changes nothing when the process dies before its claim", async () => {
    const { counter, agent, paused } = await crashInContinue(saveOf("agent", "running"), [
      toolCall("AlertAgent_tool", { target: "Tokyo" }),
      text("Sent."),
    ]);
    assert.equal(
      (await agent.getRunOutput(paused.runId, paused.sessionId)).status,
      "paused",
      "a crash before the claim changes nothing",
    );
    await agent.continueRun(paused);
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });

  it("keeps a run whose first leg died: stored before the model was first called, resumed from the start", async () => {
    const counter = new Counter();
    const db = new CrashingDb();
    // The model's first answer is lost with the process; asked again, it asks for the call again.
    const { agent, model } = gatedAgent("AlertAgent", counter, db, [
      toolCall("AlertAgent_tool", { target: "Osaka" }),
      toolCall("AlertAgent_tool", { target: "Osaka" }),
      text("Sent."),
    ]);
    db.crashOn = saveOf("agent", "paused");
    await assert.rejects(agent.run("alert", { runId: "first-leg" }), /process died/);
    const stored = await db.getRun("agent", "first-leg");
    assert.equal(stored?.status, "running", "the run was stored before it did anything");
    const { agentRuns } = await agent.recover({ now: LATER });
    assert.deepEqual(
      agentRuns.map((run) => [run.runId, run.needsDecision]),
      [["first-leg", false]],
    );
    const paused = await agent.continueRun({ runId: "first-leg", sessionId: stored?.sessionId ?? "" });
    assert.equal(paused.activeRequirements.length, 1, "the model asked again and the call waits for a person");
    assert.equal(model.requests.length, 2);
    assert.equal(counter.of("AlertAgent_tool"), 0);
    paused.activeRequirements[0]?.confirm();
    assert.equal((await agent.continueRun(paused)).status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });
});
