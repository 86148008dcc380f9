import type { RunOutput } from "../agent/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";

/**
 * A workflow run as the API returns it: `toJSON()` plus what a client would otherwise derive.
 * `activeRequirement` is the entry to decide on (the last one, while paused), as
 * `StepRequirement.toJSON()`; send it back, with its decision fields set, in `stepRequirements`.
 */
export function workflowRunJson(run: WorkflowRunOutput): Record<string, unknown> {
  const last = run.isPaused ? run.stepRequirements.at(-1) : undefined;
  const active = last === undefined || last.isFrozen ? null : last;
  return {
    ...run.toJSON(),
    isPaused: run.isPaused,
    pauseKind: run.pauseKind,
    activeRequirement: active === null ? null : { ...active.toJSON(), question: active.message, needs: active.needs },
  };
}

/**
 * An agent run as the API returns it: `toJSON()` plus `isPaused` and `activeRequirements`
 * (`RunRequirement.toJSON()` of each undecided tool call); send them back, each with its
 * `resolution` set, in `requirements`.
 */
export function agentRunJson(run: RunOutput): Record<string, unknown> {
  return {
    ...run.toJSON(),
    isPaused: run.isPaused,
    activeRequirements: run.activeRequirements.map((requirement) => ({
      ...requirement.toJSON(),
      needs: requirement.needs,
    })),
  };
}
