import type { RunOutput } from "../agent/index.js";
import { InvalidResolutionError, RequirementResolvedError } from "../errors.js";
import { type DecidedBy, describeDecider } from "../runs/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";

interface Shown {
  id: string;
  isFrozen: boolean;
  shownDigest: string;
  decidedBy: Readonly<DecidedBy> | null;
  decidedAt: string | null;
}

/** Every requirement of a run a person could be shown: step gates, their tool calls, an agent's calls. */
function shownOf(run: WorkflowRunOutput | RunOutput): Shown[] {
  if ("stepRequirements" in run) {
    return run.stepRequirements.flatMap((requirement) => [
      ...(requirement.requiresExecutorInput ? [] : [requirement]),
      ...requirement.executorRequirements.map((call) => ({
        id: call.id,
        isFrozen: call.isFrozen,
        shownDigest: call.shownDigest,
        decidedBy: call.decidedBy,
        decidedAt: call.decidedAt,
      })),
    ]);
  }
  return run.requirements;
}

/**
 * The digest of what requirement `requirementId` shows now, while it is still open. A decided
 * one throws RequirementResolvedError saying who decided it; an unknown one InvalidResolutionError.
 */
export function openDigest(run: WorkflowRunOutput | RunOutput, requirementId: string): string {
  const found = shownOf(run).find((requirement) => requirement.id === requirementId);
  if (found === undefined)
    throw new InvalidResolutionError(requirementId, `Run '${run.runId}' has no requirement '${requirementId}'.`);
  if (found.isFrozen || !run.isPaused)
    throw new RequirementResolvedError(
      requirementId,
      `it was already decided by ${describeDecider(found.decidedBy, found.decidedAt)}`,
    );
  return found.shownDigest;
}
