import type { RunOutput } from "../agent/index.js";
import type { Principal } from "../runs/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";
import { decidable, type Viewer } from "./access.js";

const NO_VIEWER: Viewer = { principal: null, admin: false };

/**
 * A workflow run as the API returns it: `toJSON()` plus what a client would otherwise derive.
 * `activeRequirement` is the entry to decide on (the last one, while paused), as
 * `StepRequirement.toJSON()`; send it back, with its decision fields set, in `stepRequirements`.
 * `mayDecide`: whether the signed-in principal may decide the pause (true without auth).
 */
export function workflowRunJson(
  run: WorkflowRunOutput,
  mayDecide: (principal: Principal) => boolean = () => true,
  viewer: Viewer = NO_VIEWER,
): Record<string, unknown> {
  const last = run.isPaused ? run.stepRequirements.at(-1) : undefined;
  const active = last === undefined || last.isFrozen ? null : last;
  return {
    ...run.toJSON(),
    isPaused: run.isPaused,
    pauseKind: run.pauseKind,
    mayDecide: run.isPaused && decidable(viewer, mayDecide),
    activeRequirement: active === null ? null : { ...active.toJSON(), question: active.message, needs: active.needs },
  };
}

/**
 * An agent run as the API returns it: `toJSON()` plus `isPaused` and `activeRequirements`
 * (`RunRequirement.toJSON()` of each undecided tool call); send them back, each with its
 * `resolution` set, in `requirements`.
 */
export function agentRunJson(
  run: RunOutput,
  mayDecide: (principal: Principal) => boolean = () => true,
  viewer: Viewer = NO_VIEWER,
): Record<string, unknown> {
  return {
    ...run.toJSON(),
    isPaused: run.isPaused,
    mayDecide: run.isPaused && decidable(viewer, mayDecide),
    activeRequirements: run.activeRequirements.map((requirement) => ({
      ...requirement.toJSON(),
      needs: requirement.needs,
    })),
  };
}
