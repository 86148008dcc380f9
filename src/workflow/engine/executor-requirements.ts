import type { RunOutput, ToolDecisionInput } from "../../agent/index.js";
import {
  cloneJson,
  type ExecutorRequirementState,
  openSites,
  type UpstreamStamp,
  upstreamStamps,
} from "../../runs/index.js";

/**
 * Copies the agent's unresolved tool requirements into the step requirement: its own, and those
 * of the agents it called as tools (at any depth), each with its path from the step's agent. The
 * sub-runs themselves stay in the agent's run.
 */
export function executorRequirementsOf(run: RunOutput): ExecutorRequirementState[] {
  return openSites(run.toJSON()).map(({ requirement, execution, path }) => ({
    requirement: cloneJson(requirement),
    execution: cloneJson({ ...execution, subRun: null }),
    path: [...path],
  }));
}

/**
 * What a step's agent is continued with after its executor pause was decided: the decisions as
 * data, and the stamps the workflow put on them (a deadline's decision reaches the agent with its
 * stamp only, not as data).
 */
export function stepAgentDecisions(calls: readonly ExecutorRequirementState[]): {
  decisions: ToolDecisionInput[];
  stamps: Map<string, UpstreamStamp>;
} {
  const decisions = calls.flatMap(({ requirement: { id, decision } }) =>
    decision === null || decision.type === "timeout" ? [] : [{ requirementId: id, decision }],
  );
  return { decisions, stamps: upstreamStamps(calls) };
}
