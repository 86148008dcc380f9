import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidResolutionError, UnresolvedRequirementError } from "kern";
import { FakeModel } from "kern/testing";
import { build } from "./02_step_user_input_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

const INPUT = "Book me a flight from Berlin for next Friday";

describe("scenario 2: step user input + tool confirmation", () => {
  it("asks for the destination, tells the agent, then pauses on the tool; approving books once", async () => {
    const { workflow, bookings, model } = build();
    assert.ok(model instanceof FakeModel);
    const first = await workflow.run(INPUT);
    assert.equal(first.pauseKind, "step");
    assert.equal(first.pausedStepName, "book_travel");
    assert.deepEqual(
      first.stepsRequiringUserInput.map((requirement) => requirement.stepName),
      ["book_travel"],
    );
    const ask = first.stepsRequiringUserInput[0];
    assert.ok(ask !== undefined);
    assert.equal(ask.requiresUserInput, true);
    assert.equal(ask.requiresConfirmation, false);
    assert.equal(ask.userInputMessage, "Where do you want to fly?");
    assert.deepEqual(
      ask.userInputSchema?.map((field) => [field.name, field.type, field.required]),
      [["destination", "string", true]],
    );
    assert.equal(model.requests.length, 0);
    ask.setUserInput({ destination: "Lisbon" });

    const second = await workflow.continueRun(first);
    assert.equal(second.pauseKind, "executor");
    assert.equal(second.pausedStepName, "book_travel");
    assert.equal(second.stepRequirements.length, 2);
    assert.equal(second.stepRequirements[0]?.isResolved, true);
    assert.deepEqual(second.stepRequirements[0]?.userInput, { destination: "Lisbon" });
    const told = model.requests[0]?.messages.find((message) => message.role === "user")?.content ?? "";
    assert.ok(told.startsWith(INPUT), told);
    assert.match(told, /User preferences:\n- destination: Lisbon/);
    const active = second.stepRequirements[1];
    assert.equal(active?.executorName, "TravelAgent");
    assert.equal(active?.executorId, "TravelAgent");
    assert.deepEqual(
      second.stepsRequiringExecutorResolution.map((requirement) => requirement.stepName),
      ["book_travel"],
    );
    const calls = active?.executorRequirements ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.toolExecution.toolName, "book_flight");
    assert.deepEqual(calls[0]?.toolExecution.toolArgs, { origin: "Berlin", destination: "Lisbon" });
    assert.deepEqual(bookings, []);
    calls[0]?.confirm();

    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(bookings, [{ origin: "Berlin", destination: "Lisbon" }]);
    assert.equal(done.content, "Booked your flight from Berlin to Lisbon.");
    assert.deepEqual(
      done.stepResults.map((output) => output.stepName),
      ["book_travel"],
    );
    assert.equal(done.stepExecutorRuns.length, 1);
    assert.equal(model.requests.length, 2);
  });

  it("refuses invalid input without changing anything, and still continues with valid input", async () => {
    const { workflow, bookings } = build();
    const first = await workflow.run(INPUT);
    const ask = first.stepRequirements[0];
    assert.ok(ask !== undefined);
    const invalid: Array<Record<string, unknown>> = [{}, { destination: 42 }, { destination: "Lisbon", seat: "aisle" }];
    for (const values of invalid) {
      assert.throws(() => ask.setUserInput(values), InvalidResolutionError, JSON.stringify(values));
      assert.equal(ask.isResolved, false);
      assert.equal(ask.userInput, null);
      assert.equal(ask.confirmed, null);
    }
    assert.equal(first.stepsRequiringUserInput.length, 1);
    await assert.rejects(workflow.continueRun(first), UnresolvedRequirementError);

    ask.setUserInput({ destination: "Porto" });
    let run = await workflow.continueRun(first);
    assert.equal(run.pauseKind, "executor");
    assert.deepEqual(run.stepRequirements[1]?.executorRequirements[0]?.toolExecution.toolArgs, {
      origin: "Berlin",
      destination: "Porto",
    });
    run.stepRequirements[1]?.executorRequirements[0]?.confirm();
    run = await workflow.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(bookings, [{ origin: "Berlin", destination: "Porto" }]);
  });

  it("on rejected input skips the step without calling the agent", async () => {
    const { workflow, bookings, model } = build({ script: [] });
    const first = await workflow.run(INPUT);
    first.stepRequirements[0]?.reject("Not travelling after all");
    const done = await workflow.continueRun(first);
    assert.equal(done.status, "completed");
    assert.equal(done.stepRequirements.length, 1);
    assert.equal(done.content, null);
    assert.equal(done.stepResults[0]?.skipped, true);
    assert.deepEqual(bookings, []);
    assert.ok(model instanceof FakeModel);
    assert.equal(model.requests.length, 0);
  });
});
