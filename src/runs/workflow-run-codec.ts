import { migrateWorkflowRunV6 } from "./call-paths.js";
import { decodeState, type VersionedCodec } from "./codec.js";
import { type RunName, stripRunDefaults, withDefaults, withRunDefaults } from "./compact.js";
import { migrateWorkflowRunV2 } from "./migrate-decisions.js";
import { runSchemas } from "./run-schemas.js";
import { WORKFLOW_RUN_SHAPE } from "./shapes.js";
import { WORKFLOW_RUN_SCHEMA_VERSION, type WorkflowRunState } from "./workflow-run-state.js";

export const workflowRunCodec: VersionedCodec<WorkflowRunState> = {
  what: "workflow run",
  currentVersion: WORKFLOW_RUN_SCHEMA_VERSION,
  // 1 -> 2 only added fields whose defaults the shapes fill in; 2 -> 3 made each requirement its
  // gate kind's variant (frames kept every field, so they need nothing); 3 -> 4 added who decided
  // (decidedBy, decidedAt) and the run's place in the decisions table (auditSeq, auditHead): the
  // shape's defaults, filled in again after 2 -> 3 rebuilt the requirements; 4 -> 5 added token
  // usage, and to an executor pause's calls their origin, pinned definition digest and
  // definitionChanged (their defaults too); 5 -> 6 added a Parallel frame's branches and a
  // requirement's path, whose defaults (none, []) fit every run stored before: no Parallel could
  // pause then, and a path left empty reads as the requirement's step name; 6 -> 7 gave each tool
  // call of an executor pause its path from the step's agent (the agent and the tool, then).
  migrations: {
    1: (state) => state,
    2: migrateWorkflowRunV2,
    3: (state) => withDefaults(state, WORKFLOW_RUN_SHAPE) as Record<string, unknown>,
    4: (state) => state,
    5: (state) => state,
    6: migrateWorkflowRunV6,
  },
  // A getter, so the schema (and zod) loads with the first decode rather than with kern.
  get schema() {
    return runSchemas().workflowRunStateSchema;
  },
};

/** The name is stored only when it differs from the id. */
const WORKFLOW_NAME: RunName = { nameKey: "workflowName", idKey: "workflowId" };

/** Reads stored or supplied state (sparse or complete), migrating and validating it. */
export function decodeWorkflowRunState(input: unknown): WorkflowRunState {
  return decodeState(workflowRunCodec, withRunDefaults(input, WORKFLOW_RUN_SHAPE, WORKFLOW_NAME));
}

/** The sparse form that is stored (the name is left out when it equals the id). */
export function encodeWorkflowRunState(state: WorkflowRunState): unknown {
  return stripRunDefaults(state, WORKFLOW_RUN_SHAPE, WORKFLOW_NAME);
}
