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

function pendingRequirements(state: WorkflowRunState): PendingRequirementRecord[] {
  const active = state.stepRequirements.at(-1);
  if (active === undefined || active.frozen) return [];
  const what =
    active.kind === "executor"
      ? `${active.executor.name} wants to call ${active.calls.map((entry) => describeToolCall(entry.execution, entry.requirement.definitionChanged)).join(", ")}`
      : (active.message ?? `${active.stepType} '${active.stepName}' waits for ${active.kind}`);
  return [
    {
      requirementId: active.id,
      requirementKind: active.kind,
      summary: `${state.workflowName} / ${active.stepName}: ${what}`,
    },
  ];
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
