// In-process checks of what the terminal shows and answers at a pause, on the seed scenario
// built from its example module with the scripted model.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import type { Workflow, WorkflowEvent } from "../workflow/index.js";
import { findScenario, loadScenario } from "./catalog.js";
import { applyDecision } from "./decision.js";
import { flagAsker, UnanswerablePauseError } from "./flag-asker.js";
import { formFields, parseFieldValue } from "./form.js";
import { isPauseEvent, type PauseQuestion, questionFromEvent, questionFromRun } from "./pause-question.js";
import { pauseView } from "./pause-view.js";

async function seedWorkflow(): Promise<Workflow> {
  const scenario = findScenario("step-confirmation");
  assert.ok(scenario !== undefined);
  delete process.env["OPENAI_API_KEY"];
  return loadScenario(scenario, new InMemoryDb());
}

describe("a pause as the terminal asks it", () => {
  it("is the same question whether it comes from the stream's pause event or from the stored run", async () => {
    const workflow = await seedWorkflow();
    let stream = workflow.runStream("Send a weather alert for Tokyo about heavy rain");
    const asked: Array<{ fromEvent: PauseQuestion; fromRun: PauseQuestion | null }> = [];
    for (;;) {
      const events: WorkflowEvent[] = [];
      for await (const event of stream) events.push(event);
      const run = await stream.output;
      if (!run.isPaused) break;
      const pause = events.at(-1);
      assert.ok(pause !== undefined && isPauseEvent(pause), "a paused stream ends on its pause event");
      const stored = await workflow.getRunOutput(run.runId, run.sessionId);
      const fromEvent = questionFromEvent(pause, run.stepRequirements.at(-1)?.executorName ?? null);
      asked.push({ fromEvent, fromRun: questionFromRun(stored) });
      const decision = await flagAsker({ mode: "approve", values: new Map(), defaults: {} }).ask(fromEvent);
      assert.ok(decision !== null);
      applyDecision(run, decision);
      stream = workflow.continueRunStream(run);
    }
    assert.equal(asked.length, 2);
    for (const { fromEvent, fromRun } of asked) assert.deepEqual(fromRun, fromEvent);
    const [first, second] = asked.map(({ fromEvent }, index) => pauseView(fromEvent, index + 1));
    assert.equal(first?.title, "Pause 1: step send_alert waits for your approval");
    assert.ok(first?.lines.includes("message   Proceed with sending the alert?"));
    assert.ok(first?.lines.includes("path      DualConfirmation › send_alert"));
    assert.ok(second?.lines.includes("path      DualConfirmation › send_alert › AlertAgent › send_alert"));
    assert.equal(second?.title, "Pause 2: AlertAgent wants to call a tool");
    assert.deepEqual(
      second?.lines.filter((line) => /^(tool|arguments| {10})/.test(line)),
      ["tool      send_alert", 'arguments city     "Tokyo"', '          message  "Heavy rain expected tonight."'],
    );
  });
});

describe("answering from the command line", () => {
  const travel: PauseQuestion = {
    runId: "r1",
    sessionId: "s1",
    workflowName: "TravelBooking",
    stepName: "book_travel",
    stepType: "Step",
    stepPath: [0],
    path: ["book_travel"],
    requirementId: "q1",
    kind: "userInput",
    message: "Where to?",
    allowMultipleSelections: false,
    choices: null,
    toolCalls: null,
    inputSchema: {
      type: "object",
      properties: { destination: { type: "string" }, seats: { type: "integer" } },
      required: ["destination"],
    },
    stepOutput: null,
    errorMessage: null,
    timeoutAt: null,
    agentName: null,
  };

  it("fills a form from --set, typed by the schema, else from the scenario's sample answers", async () => {
    const fromSet = await flagAsker({
      mode: "approve",
      values: new Map([
        ["destination", "Oslo"],
        ["seats", "2"],
      ]),
      defaults: { destination: "Lisbon" },
    }).ask(travel);
    assert.deepEqual(fromSet, { type: "userInput", values: { destination: "Oslo", seats: 2 } });
    const fromDefaults = await flagAsker({
      mode: "approve",
      values: new Map(),
      defaults: { destination: "Lisbon" },
    }).ask(travel);
    assert.deepEqual(fromDefaults, { type: "userInput", values: { destination: "Lisbon" } });
  });

  it("says which --set is missing instead of guessing a required value", async () => {
    await assert.rejects(
      flagAsker({ mode: "approve", values: new Map(), defaults: {} }).ask(travel),
      (error: Error) => {
        assert.ok(error instanceof UnanswerablePauseError);
        assert.match(error.message, /asks for 'destination'; pass --set destination=<value>/);
        return true;
      },
    );
  });

  it("rejects every kind of pause with a note, and skips a failed step", async () => {
    const asker = flagAsker({ mode: "reject", values: new Map(), defaults: {} });
    assert.deepEqual(await asker.ask(travel), { type: "reject", feedback: "Rejected from the command line." });
    assert.deepEqual(await asker.ask({ ...travel, kind: "error", errorMessage: "boom" }), { type: "skip" });
  });

  it("reads typed answers by field type and refuses what does not fit", () => {
    const [destination, seats] = formFields(travel.inputSchema ?? {});
    assert.ok(destination !== undefined && seats !== undefined);
    assert.deepEqual(parseFieldValue(seats, "3"), { ok: true, value: 3 });
    assert.deepEqual(parseFieldValue(seats, "2.5"), { ok: false, problem: "seats must be a whole number" });
    assert.deepEqual(parseFieldValue(seats, ""), { ok: true, value: undefined });
    assert.deepEqual(parseFieldValue(destination, " "), { ok: false, problem: "destination is required" });
  });
});
