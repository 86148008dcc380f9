import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, type FakeScript, text, toolCall, toolCalls } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import { toolResultsIn } from "./agent.test-helper.js";
import { RunRequirement } from "./run-requirement.js";

/** A tool defined elsewhere, as an MCP server's is: its definition can change under kern. */
class RemoteTool {
  definition = "v1";
  digestFails = false;
  readonly ran: string[] = [];

  tool(properties: Record<string, unknown> = { city: { type: "string" } }): Tool {
    return tool({
      name: "remote_alert",
      inputSchema: { type: "object", properties, required: ["city"] },
      requiresConfirmation: true,
      origin: "test:remote",
      definitionDigest: async () => {
        if (this.digestFails) throw new Error("server unreachable");
        return this.definition;
      },
      execute: (args) => {
        this.ran.push(String(args["city"]));
        return `Remote alert for ${String(args["city"])}`;
      },
    });
  }
}

function setUp(script: FakeScript[], remote: RemoteTool, db = new InMemoryDb()) {
  const localRuns: string[] = [];
  const local = tool({
    name: "local_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      localRuns.push(city);
      return `Local alert for ${city}`;
    },
  });
  const model = new FakeModel(script);
  const agent = new Agent({ name: "Alerts", model, tools: [remote.tool(), local], db });
  return { agent, model, db, local, localRuns };
}

const BOTH = toolCalls([
  { name: "remote_alert", args: { city: "Tokyo" } },
  { name: "local_alert", args: { city: "Osaka" } },
]);

describe("an approval pinned to its tool's definition", () => {
  it("stores the digest at the pause and runs the approved call when nothing changed", async () => {
    const remote = new RemoteTool();
    const { agent } = setUp([toolCall("remote_alert", { city: "Tokyo" }), text("Done.")], remote);
    let run = await agent.run("Alert Tokyo");
    assert.equal(run.toJSON().tools[0]?.definitionDigest, "v1");
    assert.equal(run.activeRequirements[0]?.toolExecution.origin, "test:remote");
    run.activeRequirements[0]?.confirm();
    run = await agent.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(remote.ran, ["Tokyo"]);
  });

  it("holds back a changed call, stored before anything else runs; the batch's other calls still run", async () => {
    const remote = new RemoteTool();
    const { agent, model, db, localRuns } = setUp([BOTH, text("Done.")], remote);
    let run = await agent.run("Alert Tokyo and Osaka");
    for (const requirement of run.activeRequirements) requirement.confirm();
    remote.definition = "v2";
    run = await agent.continueRun(run);
    assert.equal(run.status, "paused");
    assert.deepEqual([remote.ran, localRuns], [[], ["Osaka"]]);
    const [changed] = run.activeRequirements;
    assert.deepEqual(
      [run.activeRequirements.length, changed?.definitionChanged, changed?.toolExecution.toolName],
      [1, true, "remote_alert"],
    );
    assert.equal(run.toJSON().tools[0]?.definitionDigest, "v2", "pinned again, to the definition now shown");
    const stored = await agent.getRunOutput(run.runId, run.sessionId, { db });
    assert.equal(stored.activeRequirements[0]?.id, changed?.id);
    const copy = RunRequirement.fromJSON(JSON.parse(JSON.stringify(changed)));
    assert.deepEqual([copy.definitionChanged, copy.toolExecution.origin], [true, "test:remote"]);

    changed?.confirm();
    run = await agent.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual([remote.ran, localRuns], [["Tokyo"], ["Osaka"]]);
    assert.deepEqual(toolResultsIn(model.requests[1]?.messages ?? []), [
      "remote_alert: Remote alert for Tokyo",
      "local_alert: Local alert for Osaka",
    ]);
  });

  it("a changed call that is then rejected never runs", async () => {
    const remote = new RemoteTool();
    const { agent, model } = setUp([toolCall("remote_alert", { city: "Tokyo" }), text("Not sent.")], remote);
    let run = await agent.run("Alert Tokyo");
    run.activeRequirements[0]?.confirm();
    remote.definition = "v2";
    run = await agent.continueRun(run);
    run.activeRequirements[0]?.reject("not under the new terms");
    run = await agent.continueRun(run);
    assert.equal(run.status, "completed");
    assert.deepEqual(remote.ran, []);
    assert.match(toolResultsIn(model.requests[1]?.messages ?? [])[0] ?? "", /rejected.*not under the new terms/);
  });

  it("another agent object (another process) with the server's new parameters re-asks instead of refusing the run", async () => {
    const remote = new RemoteTool();
    const { agent, db, local } = setUp([toolCall("remote_alert", { city: "Tokyo" })], remote);
    const paused = await agent.run("Alert Tokyo");
    paused.activeRequirements[0]?.confirm();
    remote.definition = "v2";
    const later = new Agent({
      name: "Alerts",
      model: new FakeModel([text("Done.")]),
      tools: [remote.tool({ city: { type: "string" }, sms: { type: "boolean" } }), local],
      db,
    });
    const run = await later.continueRun(paused);
    assert.equal(run.status, "paused");
    assert.equal(run.activeRequirements[0]?.definitionChanged, true);
    assert.deepEqual(remote.ran, []);
  });

  it("a digest that cannot be had fails the call unrun, at the pause and before running it", async () => {
    const remote = new RemoteTool();
    remote.digestFails = true;
    const atPause = setUp([toolCall("remote_alert", { city: "Tokyo" }), text("Failed.")], remote);
    const failed = await atPause.agent.run("Alert Tokyo");
    assert.equal(failed.status, "completed");
    assert.match(failed.toJSON().tools[0]?.error ?? "", /Could not read the definition.*server unreachable/);

    remote.digestFails = false;
    const beforeRun = setUp([toolCall("remote_alert", { city: "Tokyo" }), text("Failed.")], remote);
    let run = await beforeRun.agent.run("Alert Tokyo");
    run.activeRequirements[0]?.confirm();
    remote.digestFails = true;
    run = await beforeRun.agent.continueRun(run);
    assert.equal(run.status, "completed");
    assert.match(run.toJSON().tools[0]?.error ?? "", /still as approved, so the call did not run: server unreachable/);
    assert.deepEqual(remote.ran, []);
  });
});
