import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeAgent } from "../agent/agent.test-helper.js";
import { RunRequirement } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { toolCall } from "../testing/index.js";
import { Step, StepRequirement, Workflow } from "../workflow/index.js";

describe("requirement JSON round trips", () => {
  it("turns RunRequirement JSON back into a real object that can be resolved", async () => {
    const { agent } = makeAgent([toolCall("send_alert", { city: "Tokyo", message: "Rain" })]);
    const run = await agent.run("Alert");
    const wire = JSON.parse(JSON.stringify(run.activeRequirements[0]));
    assert.equal(wire.schemaVersion, 6);
    assert.deepEqual(wire.path, ["AlertAgent", "send_alert"]);
    const revived = RunRequirement.fromJSON(wire);
    assert.deepEqual(revived.toolExecution.toolArgs, { city: "Tokyo", message: "Rain" });
    assert.deepEqual(revived.path, ["AlertAgent", "send_alert"]);
    revived.confirm();
    assert.deepEqual(revived.decision, { type: "confirm" });
    assert.throws(() => RunRequirement.fromJSON({ ...wire, schemaVersion: 7 }), { name: "StateVersionError" });
    // Version 5 JSON has no path: read as the tool's own call.
    const { path: _path, ...version5 } = wire;
    assert.deepEqual(RunRequirement.fromJSON({ ...version5, schemaVersion: 5 }).path, ["send_alert"]);
    assert.throws(() => RunRequirement.fromJSON({ ...wire, path: [] }), { name: "StateCorruptError" });
    assert.throws(() => RunRequirement.fromJSON({ ...wire, toolExecution: null }), { name: "StateCorruptError" });
  });

  it("turns StepRequirement JSON back into a real object, frozen entries included", async () => {
    const workflow = new Workflow({
      name: "w",
      db: new InMemoryDb(),
      steps: [new Step({ name: "s", requiresConfirmation: true, executor: () => "ok" })],
    });
    const run = await workflow.run("in");
    const revived = StepRequirement.fromJSON(JSON.parse(JSON.stringify(run.stepRequirements[0])));
    assert.equal(revived.stepName, "s");
    assert.equal(revived.requiresConfirmation, true);
    revived.confirm();
    assert.equal(revived.confirmed, true);
    const frozen = StepRequirement.fromJSON({ ...run.stepRequirements[0]?.toJSON(), frozen: true });
    assert.throws(() => frozen.confirm(), { name: "RequirementResolvedError" });
    assert.throws(() => StepRequirement.fromJSON({ ...run.stepRequirements[0]?.toJSON(), schemaVersion: 7 }), {
      name: "StateVersionError",
    });
    assert.deepEqual(run.stepRequirements[0]?.toJSON().path, ["s"]);
    // Version 3 JSON has no pause time or trace: read as it is, with both null.
    const { pausedAt: _pausedAt, trace: _trace, path: _path, ...version3 } = run.stepRequirements[0]?.toJSON() ?? {};
    const older = StepRequirement.fromJSON({ ...version3, schemaVersion: 3 });
    assert.deepEqual([older.toJSON().pausedAt, older.toJSON().trace, older.toJSON().schemaVersion], [null, null, 6]);
    // Version 4 JSON has no path: read with an empty one, which the view spells as the step's name.
    const { path: _omitted, ...withoutPath } = run.stepRequirements[0]?.toJSON() ?? {};
    const version4 = StepRequirement.fromJSON({ ...withoutPath, schemaVersion: 4 });
    assert.deepEqual([version4.toJSON().path, version4.path], [[], ["s"]]);
    assert.equal(version4.shownDigest, run.stepRequirements[0]?.shownDigest, "the path is not part of what is shown");
  });

  it("reads version-1 requirement JSON (the flat record of kern before decisions) by migrating it", () => {
    const step = StepRequirement.fromJSON({
      schemaVersion: 1,
      id: "r1",
      kind: "route",
      stepName: "notify",
      stepPath: [0],
      stepType: "Router",
      availableChoices: ["email", "sms"],
      confirmed: true,
      selectedChoices: ["sms"],
      frozen: true,
    });
    assert.deepEqual(step.decision, { type: "select", choices: ["sms"] });
    assert.deepEqual(step.availableChoices, ["email", "sms"]);
    assert.deepEqual(step.selectedChoices, ["sms"]);
    const rejected = StepRequirement.fromJSON({
      schemaVersion: 1,
      id: "r2",
      kind: "outputReview",
      stepName: "draft",
      stepPath: [1],
      stepOutput: { stepName: "draft", content: "v1" },
      confirmed: false,
      rejectionFeedback: "shorter",
    });
    assert.deepEqual(rejected.decision, { type: "reject", feedback: "shorter" });
    assert.equal(rejected.stepOutput?.content, "v1");
    const call = RunRequirement.fromJSON({
      schemaVersion: 1,
      id: "t1",
      toolCallId: "c1",
      kind: "confirmation",
      resolution: { type: "rejected", note: "no" },
      frozen: false,
      toolExecution: { toolCallId: "c1", toolName: "send", toolArgs: {}, phase: "awaiting", gate: "confirmation" },
    });
    assert.deepEqual(call.decision, { type: "reject", feedback: "no" });
  });
});
