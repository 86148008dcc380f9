import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall, toolCalls } from "../testing/index.js";
import type { Tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import { danglingCalls, Executions, makeTools, toolResultsIn } from "./agent.test-helper.js";

/** Planner calls Alerter (send_alert gated, get_weather not) through `alerter.asTool()`. */
function makeTree(outerScript: ConstructorParameters<typeof FakeModel>[0], innerScript: typeof outerScript) {
  const executions = new Executions();
  const tools = makeTools(executions);
  const db = new InMemoryDb();
  const innerModel = new FakeModel(innerScript);
  const alerter = new Agent({
    name: "Alerter",
    description: "Sends weather alerts.",
    model: innerModel,
    tools: [tools.sendAlert, tools.getWeather].flatMap((entry) => (entry === undefined ? [] : [entry])),
  });
  const outerModel = new FakeModel(outerScript);
  const getWeather = tools.getWeather;
  assert.ok(getWeather !== undefined);
  const planner = new Agent({
    name: "Planner",
    model: outerModel,
    tools: [alerter.asTool({ name: "ask_alerter" }), getWeather],
    db,
  });
  return { planner, alerter, db, executions, innerModel, outerModel };
}

const TOKYO = { city: "Tokyo", message: "Heavy rain" };

describe("agents as tools", () => {
  it("pauses the calling run on the sub-agent's gated call, with a path naming both agents and the tool", async () => {
    const tree = makeTree(
      [
        toolCalls([
          { name: "ask_alerter", args: { input: "Alert Tokyo about rain" } },
          { name: "get_weather", args: { city: "Osaka" } },
        ]),
        text("Planned: alert sent, Osaka checked."),
      ],
      [toolCall("send_alert", TOKYO), text("Alert sent for Tokyo.")],
    );
    const paused = await tree.planner.run("Plan the day");
    assert.equal(paused.status, "paused");
    assert.deepEqual(
      paused.activeRequirements.map((requirement) => [requirement.path, requirement.toolExecution.toolArgs]),
      [[["Planner", "Alerter", "send_alert"], TOKYO]],
    );
    // The outer turn's other call ran once, before the pause, and is not run again.
    assert.equal(tree.executions.count("get_weather"), 1);
    assert.equal(tree.innerModel.requests.length, 1);
    assert.deepEqual(tree.innerModel.requests[0]?.messages, [{ role: "user", content: "Alert Tokyo about rain" }]);
    // One stored row: the sub-run lives in the planner's run, and the inbox lists its call there.
    assert.equal((await tree.db.listRuns({ kind: "agent" })).length, 1);
    const pending = await tree.db.listPendingRequirements({});
    assert.deepEqual(
      pending.map((row) => row.summary),
      ['Planner › Alerter wants to call send_alert({"city":"Tokyo","message":"Heavy rain"})'],
    );

    paused.activeRequirements[0]?.confirm();
    const done = await tree.planner.continueRun(paused);
    assert.deepEqual([done.status, done.content], ["completed", "Planned: alert sent, Osaka checked."]);
    assert.equal(tree.executions.count("send_alert"), 1);
    assert.equal(tree.executions.count("get_weather"), 1, "the outer turn's other call did not run again");
    assert.equal(tree.innerModel.requests.length, 2, "the sub-agent's first model call was not repeated");
    assert.equal(tree.outerModel.requests.length, 2);
    assert.deepEqual(toolResultsIn(tree.outerModel.requests[1]?.messages ?? []), [
      "ask_alerter: Alert sent for Tokyo.",
      "get_weather: Rain in Osaka",
    ]);
    assert.deepEqual(danglingCalls(done.messages), []);
    assert.deepEqual(
      done.subRuns.map((sub) => [sub.agentName, sub.status, sub.content]),
      [["Alerter", "completed", "Alert sent for Tokyo."]],
    );
    assert.deepEqual(await tree.db.listPendingRequirements({}), []);
  });

  it("tells the sub-agent's model a rejection, and the calling model the sub-agent's answer", async () => {
    const tree = makeTree(
      [toolCall("ask_alerter", { input: "Alert Tokyo" }), text("The alert was not sent.")],
      [toolCall("send_alert", TOKYO), text("I did not send it: the user rejected it.")],
    );
    const paused = await tree.planner.run("Plan");
    paused.activeRequirements[0]?.reject("Not today.");
    const done = await tree.planner.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(tree.executions.count("send_alert"), 0);
    assert.deepEqual(toolResultsIn(tree.innerModel.requests[1]?.messages ?? []), [
      "send_alert: The user rejected this tool call; it was not executed. Note from the user: Not today.",
    ]);
    assert.deepEqual(toolResultsIn(tree.outerModel.requests[1]?.messages ?? []), [
      "ask_alerter: I did not send it: the user rejected it.",
    ]);
  });

  it("continues from another process's copy: decisions as data by requirement id", async () => {
    const tree = makeTree(
      [toolCall("ask_alerter", { input: "Alert Tokyo" }), text("Done.")],
      [toolCall("send_alert", TOKYO), text("Sent.")],
    );
    const paused = await tree.planner.run("Plan");
    const stored = await tree.planner.getRunOutput(paused.runId, paused.sessionId);
    const [requirement] = stored.activeRequirements;
    assert.ok(requirement !== undefined);
    assert.deepEqual(requirement.toJSON().path, ["Planner", "Alerter", "send_alert"]);
    const done = await tree.planner.continueRun({
      runId: paused.runId,
      sessionId: paused.sessionId,
      decisions: [{ requirementId: requirement.id, decision: { type: "confirm" } }],
    });
    assert.equal(done.status, "completed");
    assert.equal(tree.executions.count("send_alert"), 1);
  });

  it("streams the sub-agent's events, and a pause event whose tool calls carry their paths", async () => {
    const tree = makeTree(
      [toolCall("ask_alerter", { input: "Alert Tokyo" }), text("Done.")],
      [toolCall("get_weather", { city: "Tokyo" }), toolCall("send_alert", TOKYO), text("Sent.")],
    );
    const stream = tree.planner.runStream("Plan");
    const events: string[] = [];
    let paused: unknown;
    for await (const event of stream) {
      if (event.event === "ToolCallStarted") events.push(`${event.agentName}:${event.toolName}`);
      if (event.event === "RunPaused") paused = event.requirements.map((call) => [call.toolName, call.path]);
    }
    assert.deepEqual(events, ["Planner:ask_alerter", "Alerter:get_weather"]);
    assert.deepEqual(paused, [["send_alert", ["Planner", "Alerter", "send_alert"]]]);
    assert.equal((await stream.output).status, "paused");
  });

  it("refuses an agent that reaches itself through its tools, before anything runs", async () => {
    const tools: Tool[] = [];
    const loop = new Agent({ name: "Loop", model: new FakeModel([]), tools });
    tools.push(loop.asTool());
    await assert.rejects(loop.run("go"), { name: "ConfigurationError", message: /reaches itself through its tools/ });
    assert.throws(() => loop.asTool({ nam: "x" } as never), {
      name: "ConfigurationError",
      message: /does not support 'nam'/,
    });
  });

  it("refuses to continue while the sub-agent's call is undecided, naming its path", async () => {
    const tree = makeTree([toolCall("ask_alerter", { input: "Alert" })], [toolCall("send_alert", TOKYO)]);
    const paused = await tree.planner.run("Plan");
    await assert.rejects(tree.planner.continueRun(paused), {
      name: "UnresolvedRequirementError",
      message: /Planner › Alerter: tool call 'send_alert' of agent 'Alerter'/,
    });
  });
});
