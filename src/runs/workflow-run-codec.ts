import { decodeState, type VersionedCodec } from "./codec.js";
import { WORKFLOW_RUN_SCHEMA_VERSION, workflowRunStateSchema, type WorkflowRunState } from "./workflow-run-state.js";

/** Version 1 is the first released version, so there is nothing to migrate yet. */
export const workflowRunCodec: VersionedCodec<WorkflowRunState> = {
  what: "workflow run",
  currentVersion: WORKFLOW_RUN_SCHEMA_VERSION,
  migrations: {},
  schema: workflowRunStateSchema,
};

export function decodeWorkflowRunState(input: unknown): WorkflowRunState {
  return decodeState(workflowRunCodec, input);
}
