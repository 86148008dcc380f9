import type { RunOutput } from "../../agent/index.js";
import { type ExecutorRequirementState, openSites } from "../../runs/index.js";

/**
 * Copies the agent's unresolved tool requirements into the step requirement: its own, and those
 * of the agents it called as tools (at any depth), each with its path from the step's agent. The
 * sub-runs themselves stay in the agent's run.
 */
export function executorRequirementsOf(run: RunOutput): ExecutorRequirementState[] {
  return openSites(run.toJSON()).map(({ requirement, execution, path }) => ({
    requirement: structuredClone(requirement),
    execution: structuredClone({ ...execution, subRun: null }),
    path: [...path],
  }));
}
