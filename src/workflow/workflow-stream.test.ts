import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCall } from "../testing/index.js";
import { Step } from "./components/step.js";
import type { WorkflowEvent } from "./events.js";
import { Workflow } from "./workflow.js";
import { Counter, freshDb, gatedAgent } from "./workflow.test-helper.js";

function seedWorkflow(counter: Counter): Workflow {
  const db = freshDb();
  const { agent } = gatedAgent("AlertAgent", counter, db, [
    toolCall("AlertAgent_tool", { target: "Tokyo" }),
    text("Alert sent for Tokyo."),
  ]);
  return new Workflow({
    name: "DualConfirmation",
    db,
    steps: [
      new Step({
        name: "send_alert",
        agent,
        requiresConfirmation: true,
        confirmationMessage: "Proceed with sending the alert?",
      }),
      new Step({ name: "log", executor: (input) => `Logged: ${input.previousStepContent ?? "nothing"}` }),
    ],
  });
}

async function collect(stream: AsyncIterable<WorkflowEvent>): Promise<WorkflowEvent[]> {
  const events: WorkflowEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function label(event: WorkflowEvent): string {
  if ("stepName" in event && event.event.startsWith("Step")) return `${event.event}:${event.stepName}`;
  if (event.event === "ToolCallStarted" || event.event === "ToolCallCompleted")
    return `${event.event}:${event.toolName}`;
  if (event.event === "RunContent") return `RunContent:${event.delta}`;
  return event.event;
}

describe("workflow event streams (scenario 1)", () => {
  it("streams each drive event by event, ending on the pause event, with .output the stored run", async () => {
    const counter = new Counter();
    const workflow = seedWorkflow(counter);

    const first = workflow.runStream("Send a weather alert for Tokyo about heavy rain");
    const firstEvents = await collect(first);
    assert.deepEqual(firstEvents.map(label), ["WorkflowStarted", "StepStarted:send_alert", "StepPaused:send_alert"]);
    const pause = firstEvents.at(-1);
    assert.ok(pause?.event === "StepPaused");
    assert.equal(pause.message, "Proceed with sending the alert?");
    assert.equal(pause.kind, "confirmation");
    const run1 = await first.output;
    assert.equal(run1.isPaused, true);
    assert.equal((await workflow.getRunOutput(run1.runId, run1.sessionId)).status, "paused");

    run1.stepRequirements[0]?.confirm();
    const second = workflow.continueRunStream(run1);
    const secondEvents = await collect(second);
    assert.deepEqual(secondEvents.map(label), [
      "StepContinued:send_alert",
      "RunStarted",
      "RunPaused",
      "StepExecutorPaused:send_alert",
    ]);
    const executorPause = secondEvents.at(-1);
    assert.ok(executorPause?.event === "StepExecutorPaused");
    assert.deepEqual(
      executorPause.toolCalls?.map((call) => [call.toolName, call.toolArgs]),
      [["AlertAgent_tool", { target: "Tokyo" }]],
    );

    const run2 = await second.output;
    run2.stepRequirements[1]?.executorRequirements[0]?.confirm();
    const third = workflow.continueRunStream(run2);
    assert.deepEqual((await collect(third)).map(label), [
      "StepExecutorContinued:send_alert",
      "RunContinued",
      "ToolCallStarted:AlertAgent_tool",
      "ToolCallCompleted:AlertAgent_tool",
      "RunContent:Alert ",
      "RunContent:sent ",
      "RunContent:for ",
      "RunContent:Tokyo.",
      "RunCompleted",
      "StepCompleted:send_alert",
      "StepStarted:log",
      "StepCompleted:log",
      "WorkflowCompleted",
    ]);
    assert.equal((await third.output).content, "Logged: Alert sent for Tokyo.");
    assert.equal(counter.of("AlertAgent_tool"), 1);
  });

  it("ends with WorkflowError and rejects .output with the same error", async () => {
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Step({
          name: "boom",
          executor: () => {
            throw new Error("kaput");
          },
        }),
      ],
    });
    const stream = workflow.runStream("in");
    const events = await collect(stream);
    assert.deepEqual(events.map(label), ["WorkflowStarted", "StepStarted:boom", "StepError:boom", "WorkflowError"]);
    const last = events.at(-1);
    assert.ok(last?.event === "WorkflowError");
    await assert.rejects(
      stream.output,
      (error: Error) => error.message === last.error.message && error.name === "StepFailedError",
    );
  });

  it("stops a run through an AbortSignal, storing it as cancelled", async () => {
    const controller = new AbortController();
    const workflow = new Workflow({
      name: "w",
      db: freshDb(),
      steps: [
        new Step({
          name: "slow",
          executor: async () => {
            controller.abort();
            await new Promise((resolve) => setTimeout(resolve, 5));
            return "done";
          },
        }),
        new Step({ name: "never", executor: () => "never" }),
      ],
    });
    const stream = workflow.runStream("in", { signal: controller.signal, runId: "aborted", sessionId: "s" });
    const events = await collect(stream);
    assert.equal(
      events.some((event) => label(event) === "StepStarted:never"),
      false,
    );
    await assert.rejects(stream.output, { name: "AbortError" });
    assert.equal((await workflow.getRunOutput("aborted", "s")).status, "cancelled");
  });
});
