import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeWorkflowRunState } from "./workflow-run-codec.js";

const readFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

describe("workflow run state versions", () => {
  it("reads the frozen version-1 fixture (paused at the executor gate), migrated to the current version", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v1.json"));
    assert.equal(state.schemaVersion, 2);
    assert.equal(state.status, "paused");
    assert.deepEqual(state.stepRequirements.map((requirement) => [requirement.kind, requirement.frozen, requirement.recovered]), [
      ["confirmation", true, false],
      ["executor", false, false],
    ]);
    assert.equal(state.fingerprint, null);
    assert.deepEqual(state.cursor?.map((frame) => [frame.stepType, frame.phase, frame.runId]), [
      ["Workflow", "running", null],
      ["Step", "executor", null],
    ]);
  });

  it("reads the frozen version-2 fixture: the step's frame names the agent run it started", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v2.json"));
    const [, step] = state.cursor ?? [];
    assert.equal(step?.phase, "executor");
    assert.equal(step?.runId, state.stepRequirements.at(-1)?.executorRunId);
    assert.equal(state.fingerprint, "e0e63f9f0a68793e74cffeb6b719a318");
  });

  it("refuses unknown, missing and non-integer versions with StateVersionError", () => {
    const fixture = readFixture("workflow-run-v2.json");
    for (const schemaVersion of [0, 3, "2", undefined, 2.5]) {
      assert.throws(() => decodeWorkflowRunState({ ...fixture, schemaVersion }), { name: "StateVersionError" });
    }
  });
});
