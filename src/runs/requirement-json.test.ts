import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunRequirement } from "../agent/index.js";
import { makeAgent } from "../agent/agent.test-helper.js";
import { toolCall } from "../testing/index.js";
import { StepRequirement, Workflow, Step } from "../workflow/index.js";
import { InMemoryDb } from "../db/memory/index.js";

describe("requirement JSON round trips", () => {
  it("turns RunRequirement JSON back into a real object that can be resolved", async () => {
    const { agent } = makeAgent([toolCall("send_alert", { city: "Tokyo", message: "Rain" })]);
    const run = await agent.run("Alert");
    const wire = JSON.parse(JSON.stringify(run.activeRequirements[0]));
    assert.equal(wire.schemaVersion, 1);
    const revived = RunRequirement.fromJSON(wire);
    assert.deepEqual(revived.toolExecution.toolArgs, { city: "Tokyo", message: "Rain" });
    revived.confirm();
    assert.deepEqual(revived.resolution, { type: "confirmed" });
    assert.throws(() => RunRequirement.fromJSON({ ...wire, schemaVersion: 7 }), { name: "StateVersionError" });
    assert.throws(() => RunRequirement.fromJSON({ ...wire, toolExecution: null }), { name: "StateCorruptError" });
  });

  it("turns StepRequirement JSON back into a real object, frozen entries included", async () => {
    const workflow = new Workflow({ name: "w", db: new InMemoryDb(), steps: [new Step({ name: "s", requiresConfirmation: true, executor: () => "ok" })] });
    const run = await workflow.run("in");
    const revived = StepRequirement.fromJSON(JSON.parse(JSON.stringify(run.stepRequirements[0])));
    assert.equal(revived.stepName, "s");
    assert.equal(revived.requiresConfirmation, true);
    revived.confirm();
    assert.equal(revived.confirmed, true);
    const frozen = StepRequirement.fromJSON({ ...run.stepRequirements[0]?.toJSON(), frozen: true });
    assert.throws(() => frozen.confirm(), { name: "RequirementResolvedError" });
    assert.throws(() => StepRequirement.fromJSON({ ...run.stepRequirements[0]?.toJSON(), schemaVersion: 2 }), { name: "StateVersionError" });
  });
});
