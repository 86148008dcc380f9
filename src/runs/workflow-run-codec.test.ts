import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeWorkflowRunState } from "./workflow-run-codec.js";

const readFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

describe("workflow run state versions", () => {
  it("reads the frozen version-1 fixture (paused at the executor gate), migrated to the current version", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v1.json"));
    assert.equal(state.schemaVersion, 7);
    assert.equal(state.status, "paused");
    assert.deepEqual(
      state.stepRequirements.map((requirement) => [requirement.kind, requirement.frozen, requirement.recovered]),
      [
        ["confirmation", true, false],
        ["executor", false, false],
      ],
    );
    assert.equal(state.fingerprint, null);
    assert.deepEqual(
      state.cursor?.map((frame) => [frame.stepType, frame.phase, frame.stepType === "Step" ? frame.runId : "-"]),
      [
        ["Workflow", "running", "-"],
        ["Step", "executor", null],
      ],
    );
    const [confirmation, executor] = state.stepRequirements;
    assert.deepEqual(
      confirmation?.kind === "confirmation" ? confirmation.decision : null,
      { type: "confirm" },
      "confirmed: true became a confirm decision",
    );
    assert.equal(executor?.kind === "executor" ? executor.calls[0]?.requirement.decision : "not an executor", null);
    assert.equal(executor?.kind === "executor" ? executor.executor.name : "", "AlertAgent");
  });

  it("reads the frozen version-2 fixture: the step's frame names the agent run it started", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v2.json"));
    const [, step] = state.cursor ?? [];
    const last = state.stepRequirements.at(-1);
    assert.equal(step?.phase, "executor");
    assert.equal(
      step?.stepType === "Step" ? step.runId : null,
      last?.kind === "executor" ? last.executor.runId : "not an executor",
    );
    assert.equal(state.fingerprint, "e0e63f9f0a68793e74cffeb6b719a318");
  });

  it("reads the frozen version-3 fixture: one variant per gate kind, each with its decision", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v3.json"));
    const [confirmation, executor] = state.stepRequirements;
    assert.equal(confirmation?.kind, "confirmation");
    assert.deepEqual(
      confirmation?.kind === "confirmation" ? [confirmation.decision, confirmation.frozen, confirmation.timeout] : null,
      [{ type: "confirm" }, true, null],
    );
    assert.equal(executor?.kind === "executor" ? executor.calls[0]?.execution.toolName : null, "send_alert");
    assert.equal(executor?.kind === "executor" ? executor.calls[0]?.requirement.decision : "not an executor", null);
    const [, step] = state.cursor ?? [];
    assert.equal(
      step?.stepType === "Step" ? step.runId : null,
      executor?.kind === "executor" ? executor.executor.runId : "none",
    );
    assert.equal(state.fingerprint, "9c56fd5fee59692a7b650f1bcf45cd69");
    // Version 4: decisions made before kern recorded who decided say so (null), and the run's
    // chain in the decisions table is empty.
    assert.deepEqual([confirmation?.decidedBy, confirmation?.decidedAt], [null, null]);
    assert.equal(executor?.kind === "executor" ? executor.calls[0]?.requirement.decidedBy : "not an executor", null);
    assert.deepEqual([state.auditSeq, state.auditHead], [0, null]);
    assert.deepEqual(state.usage, { inputTokens: 0, outputTokens: 0 });
    // Version 5: an executor pause's calls say where their tools come from and what their
    // approvals are pinned to; none did before (tools defined in code).
    const call = executor?.kind === "executor" ? executor.calls[0] : undefined;
    assert.deepEqual(
      [call?.execution.origin, call?.execution.definitionDigest, call?.requirement.definitionChanged],
      [null, null, false],
    );
    assert.deepEqual(
      state.executorRuns.map((entry) => entry.usage),
      state.executorRuns.map(() => ({ inputTokens: 0, outputTokens: 0 })),
    );
  });

  it("reads the frozen version-6 fixture: an executor pause's call gets its path from the step's agent", () => {
    const state = decodeWorkflowRunState(readFixture("workflow-run-v6.json"));
    assert.equal(state.schemaVersion, 7);
    assert.equal(state.status, "paused");
    const [confirmation, executor] = state.stepRequirements;
    assert.deepEqual(
      [confirmation?.kind, confirmation?.frozen, confirmation?.path],
      ["confirmation", true, ["send_alert"]],
    );
    assert.deepEqual(
      executor?.kind === "executor"
        ? executor.calls.map((call) => [call.path, call.execution.toolName, call.execution.subRun])
        : "not an executor",
      [[["AlertAgent", "send_alert"], "send_alert", null]],
      "version 7 added a call's path: the step's agent and its tool, the only path there was",
    );
    const earlier = decodeWorkflowRunState(readFixture("workflow-run-v1.json")).stepRequirements[1];
    assert.deepEqual(earlier?.kind === "executor" ? earlier.calls.map((call) => call.path) : null, [
      ["AlertAgent", "send_alert"],
    ]);
  });

  it("refuses unknown, missing and non-integer versions with StateVersionError", () => {
    const fixture = readFixture("workflow-run-v2.json");
    for (const schemaVersion of [0, 8, "2", undefined, 2.5]) {
      assert.throws(() => decodeWorkflowRunState({ ...fixture, schemaVersion }), { name: "StateVersionError" });
    }
  });
});
