import type { RunOutput } from "../agent/index.js";
import type { Principal } from "../runs/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";
import { decidable, type Viewer } from "./access.js";

const NO_VIEWER: Viewer = { principal: null, admin: false };

/**
 * A workflow run as the API returns it: `toJSON()` plus what a client would otherwise derive.
 * `activeRequirements` are the entries to decide on while paused (the last one, or one per paused
 * Parallel branch, each with its `path`), as `StepRequirement.toJSON()`; `activeRequirement` is
 * the newest of them. Send decisions back by requirement id in `decisions` (or the JSON, with its
 * decision fields set, in `stepRequirements`). `mayDecide`: whether the signed-in principal may
 * decide the pause (true without auth).
 */
export function workflowRunJson(
  run: WorkflowRunOutput,
  mayDecide: (principal: Principal) => boolean = () => true,
  viewer: Viewer = NO_VIEWER,
): Record<string, unknown> {
  const waiting = run.isPaused ? run.stepRequirements.filter((requirement) => !requirement.isFrozen) : [];
  const open = waiting.map((active) => ({
    ...active.toJSON(),
    path: active.path,
    question: active.message,
    needs: active.needs,
  }));
  return {
    ...run.toJSON(),
    isPaused: run.isPaused,
    pauseKind: run.pauseKind,
    mayDecide: run.isPaused && decidable(viewer, mayDecide),
    activeRequirement: open.at(-1) ?? null,
    activeRequirements: open,
  };
}

/**
 * An agent run as the API returns it: `toJSON()` plus `isPaused`, `activeRequirements`
 * (`RunRequirement.toJSON()` of each undecided tool call, its sub-agents' included, each with its
 * `path`) and `decidedRequirements` (the decided ones, sub-agents' included, oldest first). Send
 * decisions back by requirement id in `decisions`.
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
    decidedRequirements: run.requirements
      .filter((requirement) => requirement.isFrozen || requirement.decidedBy !== null)
      .map((requirement) => requirement.toJSON()),
  };
}
