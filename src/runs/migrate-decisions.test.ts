import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeAgentRunState } from "./agent-run-codec.js";
import { decodeWorkflowRunState } from "./workflow-run-codec.js";

/** A version-2 workflow row (sparse, as stored) whose only requirement is `requirement`. */
function workflowV2(requirement: Record<string, unknown>): Record<string, unknown> {
  return {
    schemaVersion: 2,
    kind: "workflow",
    runId: "r",
    sessionId: "s",
    workflowId: "w",
    status: "paused",
    input: "in",
    stepRequirements: [{ id: "q", stepName: "s", stepPath: [0], ...requirement }],
    createdAt: 1,
    updatedAt: 1,
  };
}

describe("state version 2 to 3: flat requirements become variants with a decision", () => {
  it("maps every old way of recording a decision to the new one", () => {
    const cases: Array<[Record<string, unknown>, unknown]> = [
      [{ kind: "confirmation" }, null],
      [{ kind: "confirmation", confirmed: true }, { type: "confirm" }],
      [
        { kind: "confirmation", confirmed: false, rejectionFeedback: "no" },
        { type: "reject", feedback: "no" },
      ],
      [
        { kind: "confirmation", confirmed: true, timedOut: true, timeoutAt: 5, onTimeout: "approve" },
        { type: "timeout" },
      ],
      [
        { kind: "userInput", confirmed: true, userInput: { a: 1 }, userInputSchema: [{ name: "a", type: "integer" }] },
        { type: "input", values: { a: 1 } },
      ],
      [
        { kind: "route", confirmed: true, selectedChoices: ["x"], availableChoices: ["x", "y"] },
        { type: "select", choices: ["x"] },
      ],
      [
        {
          kind: "outputReview",
          confirmed: true,
          editedOutput: "better",
          stepOutput: { stepName: "s", content: "draft" },
        },
        { type: "edit", output: "better" },
      ],
      [
        { kind: "iterationReview", confirmed: true, stepOutput: { stepName: "s#1", content: "it" } },
        { type: "confirm" },
      ],
      [{ kind: "error", errorMessage: "down", errorDecision: "retry" }, { type: "retry" }],
    ];
    for (const [old, decision] of cases) {
      const [requirement] = decodeWorkflowRunState(workflowV2(old)).stepRequirements;
      assert.deepEqual(
        requirement !== undefined && "decision" in requirement ? requirement.decision : "no decision field",
        decision,
        JSON.stringify(old),
      );
    }
    const [timed] = decodeWorkflowRunState(
      workflowV2({ kind: "confirmation", timeoutAt: 5, onTimeout: "skip" }),
    ).stepRequirements;
    assert.deepEqual(timed?.kind === "confirmation" ? timed.timeout : null, {
      at: 5,
      onTimeout: "skip",
      // Fields that came later (state version 5) read as null.
      after: null,
      remindEvery: null,
      remindedAt: null,
    });
  });

  it("moves an executor pause's calls and agent, and a tool call's resolution, to the new names", () => {
    const [executor] = decodeWorkflowRunState(
      workflowV2({
        kind: "executor",
        executorId: "A",
        executorName: "Agent A",
        executorRunId: "ar",
        executorRequirements: [
          {
            requirement: { id: "t", toolCallId: "c", resolution: { type: "userInput", values: { n: 2 } } },
            execution: { toolCallId: "c", toolName: "book", toolArgs: {}, phase: "awaiting", gate: "userInput" },
          },
        ],
      }),
    ).stepRequirements;
    assert.equal(executor?.kind, "executor");
    if (executor?.kind !== "executor") return;
    assert.deepEqual(executor.executor, { id: "A", name: "Agent A", runId: "ar" });
    assert.deepEqual(executor.calls[0]?.requirement.decision, { type: "input", values: { n: 2 } });
    assert.equal(
      executor.calls[0]?.requirement.kind,
      "confirmation",
      "the kind left out (its default) is restored before migrating",
    );
    const agent = decodeAgentRunState({
      schemaVersion: 2,
      kind: "agent",
      runId: "r",
      sessionId: "s",
      agentId: "a",
      status: "paused",
      messages: [],
      turns: 1,
      createdAt: 1,
      updatedAt: 1,
      requirements: [
        { id: "t", toolCallId: "c", resolution: { type: "rejected", note: "later" }, frozen: true },
        { id: "u", toolCallId: "d", kind: "externalExecution", resolution: { type: "externalResult", result: "42" } },
      ],
    });
    assert.deepEqual(
      agent.requirements.map((requirement) => requirement.decision),
      [
        { type: "reject", feedback: "later" },
        { type: "result", result: "42" },
      ],
    );
  });
});
