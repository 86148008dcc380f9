import type { Db, PendingRequirementRecord } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  decodeWorkflowRunState,
  describeToolCall,
  encodeWorkflowRunState,
  type LoadedRun,
  loadRun,
  type RunAccess,
  type WorkflowRunState,
} from "../runs/index.js";
import { openRequirements } from "./engine/open-requirements.js";

/** The sub-agents a call of an executor pause came through: " (via Notifier)", or "" for the step agent's own. */
function via(path: readonly string[]): string {
  return path.length > 2 ? ` (via ${path.slice(1, -1).join(" › ")})` : "";
}

/**
 * One row per open requirement (one per paused Parallel branch), each summarised with its path:
 * "workflow / component / ... / step: question".
 */
function pendingRequirements(state: WorkflowRunState): PendingRequirementRecord[] {
  return openRequirements(state).map((active) => {
    const what =
      active.kind === "executor"
        ? `${active.executor.name} wants to call ${active.calls.map((entry) => `${describeToolCall(entry.execution, entry.requirement.definitionChanged)}${via(entry.path)}`).join(", ")}`
        : (active.message ?? `${active.stepType} '${active.stepName}' waits for ${active.kind}`);
    const path = active.path.length > 0 ? active.path : [active.stepName];
    return {
      requirementId: active.id,
      requirementKind: active.kind,
      summary: `${[state.workflowName, ...path].join(" / ")}: ${what}`,
    };
  });
}

/** How workflow runs are stored: under kind "workflow", owned by the workflow id. */
export const workflowRunAccess: RunAccess<WorkflowRunState> = {
  kind: "workflow",
  what: "workflow run",
  decode: decodeWorkflowRunState,
  encode: encodeWorkflowRunState,
  ownerId: (state) => state.workflowId,
  pending: pendingRequirements,
};

/** Loads a stored run of workflow `workflowId` (RunNotFoundError; ConfigurationError for another workflow's run). */
export async function loadWorkflowRun(
  db: Db,
  workflowId: string,
  runId: string,
  sessionId: string,
): Promise<LoadedRun<WorkflowRunState>> {
  const loaded = await loadRun(db, workflowRunAccess, runId, sessionId);
  if (loaded.state.workflowId !== workflowId) {
    throw new ConfigurationError(
      `Run '${runId}' belongs to workflow '${loaded.state.workflowId}', not '${workflowId}'; continue it with that workflow.`,
    );
  }
  return loaded;
}
