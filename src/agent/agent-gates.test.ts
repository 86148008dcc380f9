import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text, toolCall, toolCalls } from "../testing/index.js";
import { danglingCalls, makeAgent, toolResultsIn } from "./agent.test-helper.js";

const TOKYO = { city: "Tokyo", message: "Heavy rain" };

describe("agent without gates", () => {
  it("answers in text and tells the model its instructions, input and tool schemas", async () => {
    const { agent, model } = makeAgent([text("Nothing to do.")]);
    const run = await agent.run("Hello");
    assert.equal(run.status, "completed");
    assert.equal(run.content, "Nothing to do.");
    const request = model.requests[0];
    assert.equal(request?.instructions, "You send weather alerts.");
    assert.deepEqual(request?.messages, [{ role: "user", content: "Hello" }]);
    const alert = request?.tools.find((spec) => spec.name === "send_alert");
    assert.deepEqual(alert?.parameters, {
      type: "object",
      properties: { city: { type: "string" }, message: { type: "string" } },
      required: ["city", "message"],
      additionalProperties: false,
    });
    assert.equal(alert?.strict, true);
  });

  it("runs an ungated tool and sends its result back to the model", async () => {
    const { agent, model, executions } = makeAgent([toolCall("get_weather", { city: "Tokyo" }), text("It rains.")]);
    const run = await agent.run("Weather?");
    assert.equal(run.status, "completed");
    assert.equal(executions.count("get_weather"), 1);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), ["get_weather: Rain in Tokyo"]);
  });

  it("sends a tool's thrown error to the model and goes on", async () => {
    const { agent, model } = makeAgent([toolCall("flaky"), text("The service is down.")]);
    const run = await agent.run("Try it");
    assert.equal(run.status, "completed");
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), ["flaky: Error: upstream timed out"]);
    assert.equal(run.tools[0]?.error, "upstream timed out");
  });

  it("tells the model about an unknown tool or invalid arguments instead of running anything", async () => {
    const { agent, model, executions } = makeAgent([
      toolCalls([
        { name: "launch_rocket", args: {} },
        { name: "get_weather", args: { city: 7 } },
      ]),
      text("Sorry."),
    ]);
    await agent.run("Go");
    const results = toolResultsIn(model.requests[1]?.messages ?? []);
    assert.match(results[0] ?? "", /launch_rocket: Error: Tool 'launch_rocket' does not exist/);
    assert.match(results[1] ?? "", /get_weather: Error: Invalid arguments for tool 'get_weather': city:/);
    assert.equal(executions.calls.length, 0);
  });
});

describe("confirmation gate", () => {
  it("pauses without executing, then runs the tool exactly once after confirm()", async () => {
    const { agent, model, executions } = makeAgent([toolCall("send_alert", TOKYO), text("Alert sent.")]);
    const paused = await agent.run("Alert Tokyo");
    assert.equal(paused.status, "paused");
    assert.equal(paused.isPaused, true);
    assert.equal(executions.count("send_alert"), 0);
    assert.equal(paused.activeRequirements.length, 1);
    const requirement = paused.activeRequirements[0];
    assert.equal(requirement?.needsConfirmation, true);
    assert.equal(requirement?.toolExecution.toolName, "send_alert");
    assert.deepEqual(requirement?.toolExecution.toolArgs, TOKYO);
    requirement?.confirm();
    const done = await agent.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(done.content, "Alert sent.");
    assert.equal(executions.count("send_alert"), 1);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "send_alert: Alert sent for Tokyo: Heavy rain",
    ]);
    assert.equal(done.tools[0]?.confirmed, true);
    assert.deepEqual(danglingCalls(done.messages), []);
  });

  it("on reject(note) never runs the tool and tells the model the note", async () => {
    const { agent, model, executions } = makeAgent([toolCall("send_alert", TOKYO), text("Understood, not sent.")]);
    const paused = await agent.run("Alert Tokyo");
    paused.activeRequirements[0]?.reject("Wrong city");
    const done = await agent.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(executions.count("send_alert"), 0);
    const told = toolResultsIn(model.requests[1]?.messages ?? []);
    assert.equal(told.length, 1);
    assert.match(told[0] ?? "", /^send_alert: The user rejected this tool call.*Wrong city/);
    assert.equal(done.tools[0]?.confirmed, false);
    assert.equal(done.tools[0]?.confirmationNote, "Wrong city");
  });

  it("pauses several gated calls of one turn together while the ungated call runs at once", async () => {
    const { agent, model, executions } = makeAgent([
      toolCalls([
        { name: "send_alert", args: TOKYO },
        { name: "get_weather", args: { city: "Osaka" } },
        { name: "send_alert", args: { city: "Osaka", message: "Wind" } },
      ]),
      text("Done."),
    ]);
    const paused = await agent.run("Alert both");
    assert.equal(paused.activeRequirements.length, 2);
    assert.equal(executions.count("get_weather"), 1);
    assert.equal(executions.count("send_alert"), 0);
    const [first, second] = paused.activeRequirements;
    first?.confirm();
    second?.reject();
    const done = await agent.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(executions.count("send_alert"), 1);
    assert.equal(executions.count("get_weather"), 1);
    const told = toolResultsIn(model.requests[1]?.messages ?? []);
    assert.equal(told.length, 3);
    assert.equal(told[0], "send_alert: Alert sent for Tokyo: Heavy rain");
    assert.equal(told[1], "get_weather: Rain in Osaka");
    assert.match(told[2] ?? "", /^send_alert: The user rejected/);
    assert.deepEqual(danglingCalls(done.messages), []);
  });

  it("pauses again on a chained gated call and freezes the earlier requirement", async () => {
    const { agent, executions } = makeAgent([
      toolCall("send_alert", TOKYO),
      toolCall("send_alert", { city: "Kyoto", message: "Flood" }),
      text("Both sent."),
    ]);
    const first = await agent.run("Alert");
    first.activeRequirements[0]?.confirm();
    const second = await agent.continueRun(first);
    assert.equal(second.status, "paused");
    assert.equal(second.requirements.length, 2);
    assert.equal(second.activeRequirements.length, 1);
    assert.deepEqual(second.activeRequirements[0]?.toolExecution.toolArgs, { city: "Kyoto", message: "Flood" });
    assert.throws(() => second.requirements[0]?.reject(), { name: "RequirementResolvedError" });
    second.activeRequirements[0]?.confirm();
    const done = await agent.continueRun(second);
    assert.equal(done.content, "Both sent.");
    assert.equal(executions.count("send_alert"), 2);
  });
});

describe("user-input gate", () => {
  it("hides the human's fields from the model and merges the values before running", async () => {
    const { agent, model, executions } = makeAgent([toolCall("book_flight", { origin: "NRT" }), text("Booked.")]);
    const paused = await agent.run("Book me a flight");
    const spec = model.requests[0]?.tools.find((entry) => entry.name === "book_flight");
    assert.deepEqual(Object.keys((spec?.parameters["properties"] ?? {}) as object), ["origin"]);
    const requirement = paused.activeRequirements[0];
    assert.equal(requirement?.needsUserInput, true);
    assert.deepEqual(requirement?.userInputSchema?.["required"], ["destination", "seats"]);
    requirement?.provideUserInput({ destination: "Lisbon", seats: 2 });
    const done = await agent.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.deepEqual(executions.calls, [
      { tool: "book_flight", args: { origin: "NRT", destination: "Lisbon", seats: 2 } },
    ]);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), ["book_flight: Booked 2 seat(s) NRT -> Lisbon"]);
  });

  it("rejects missing or mistyped values at once and keeps the requirement unresolved", async () => {
    const { agent } = makeAgent([toolCall("book_flight", { origin: "NRT" })]);
    const paused = await agent.run("Book");
    const requirement = paused.activeRequirements[0];
    assert.throws(() => requirement?.provideUserInput({ destination: "Lisbon" }), {
      name: "InvalidResolutionError",
      message: /'seats' is required/,
    });
    assert.throws(() => requirement?.provideUserInput({ destination: "Lisbon", seats: "two" }), {
      name: "InvalidResolutionError",
      message: /'seats' must be a integer/,
    });
    assert.throws(() => requirement?.provideUserInput({ destination: "Lisbon", seats: 1, class: "first" }), {
      message: /'class' is not an expected field/,
    });
    assert.equal(requirement?.isResolved, false);
  });
});

describe("external execution gate", () => {
  it("uses the supplied result as the tool result", async () => {
    const { agent, model } = makeAgent([toolCall("run_query", { sql: "select 1" }), text("One row.")]);
    const paused = await agent.run("Query");
    const requirement = paused.activeRequirements[0];
    assert.equal(requirement?.needsExternalExecution, true);
    assert.equal(requirement?.toolExecution.externalExecutionRequired, true);
    requirement?.setExternalExecutionResult("[[1]]");
    const done = await agent.continueRun(paused);
    assert.equal(done.content, "One row.");
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), ["run_query: [[1]]"]);
  });
});
