import type { AgentRunState, RequirementState, ToolExecutionState } from "../runs/index.js";
import { openSites, useEditedArgs } from "../runs/index.js";
import { applyLapsedDeadline } from "./deadlines.js";
import { batchOf, executionOf } from "./tool-batch.js";

function rejectionText(feedback: string | null, recovered: boolean): string {
  const base = recovered
    ? "This tool call may or may not have run before the process running it stopped; the user chose not to run it again."
    : "The user rejected this tool call; it was not executed.";
  return feedback === null || feedback === "" ? base : `${base} Note from the user: ${feedback}`;
}

/** Applies one decided requirement to its call: what runs, what never does. */
function applyDecision(requirement: RequirementState, execution: ToolExecutionState): void {
  const decision = requirement.decision;
  requirement.frozen = true;
  if (decision === null || execution.phase === "done") return;
  switch (decision.type) {
    case "reject":
      execution.phase = "rejected";
      execution.result = rejectionText(decision.feedback, requirement.recovered);
      return;
    case "result":
      execution.phase = "done";
      execution.result = decision.result;
      return;
    case "input":
      execution.toolArgs = { ...execution.toolArgs, ...decision.values };
      execution.phase = "queued";
      return;
    case "confirm":
      useEditedArgs(execution, decision);
      execution.phase = "queued";
      return;
    case "timeout":
      applyLapsedDeadline(requirement, execution);
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`Unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Before the claim: applies the human's decisions to the paused batch and freezes them, and marks
 * the first call to run `running`, so the claim's write records the decisions and that this call
 * may start. A crash after the claim leaves that call uncertain rather than silently runnable.
 * Sub-runs (agents called as tools) whose every requirement is now decided are prepared the same
 * way, at any depth, and their calls queued to resume them.
 */
export function prepareResume(state: AgentRunState): void {
  resumeSubRuns(state);
  const pending = new Set(state.cursor?.toolCallIds ?? []);
  for (const requirement of state.requirements) {
    if (!pending.has(requirement.toolCallId) || requirement.frozen) continue;
    const execution = executionOf(state, requirement.toolCallId);
    if (execution !== undefined) applyDecision(requirement, execution);
  }
  const first = batchOf(state).find((execution) => execution.phase === "queued");
  if (first !== undefined) first.phase = "running";
}

/** Prepares each paused sub-run of the batch that waits for no one now, and queues its call. */
function resumeSubRuns(state: AgentRunState): void {
  for (const execution of batchOf(state)) {
    const sub = execution.subRun;
    if (execution.phase !== "awaiting" || sub === null || sub.status !== "paused") continue;
    if (openSites(sub).length > 0) continue;
    prepareResume(sub);
    execution.phase = "queued";
  }
}
