import type { RecordShape } from "./compact.js";
import type { Frame, StepRequirementState } from "./workflow-run-state.js";

/**
 * The defaults of each stored record type (see compact.ts). Part of the stored format: a default
 * may be added with a new field, never changed.
 */

export const AGENT_REQUIREMENT_SHAPE: RecordShape = {
  defaults: { kind: "confirmation", resolution: null, frozen: false, recovered: false },
};

export const TOOL_EXECUTION_SHAPE: RecordShape = {
  defaults: { phase: "done", result: null, error: null, gate: "none", userInputSchema: null },
};

export const AGENT_RUN_SHAPE: RecordShape = {
  defaults: { userId: null, parentRunId: null, fingerprint: null, content: null, cursor: null, error: null, requirements: [], tools: [] },
  nested: { requirements: AGENT_REQUIREMENT_SHAPE, tools: TOOL_EXECUTION_SHAPE },
};

const stepOutputDefaults = { stepType: "Step", content: null, success: true, skipped: false, error: null, executorRunId: null, steps: [] };
export const STEP_OUTPUT_SHAPE: RecordShape = { defaults: stepOutputDefaults, nested: {} };
// Outputs nest outputs: the shape refers to itself.
(STEP_OUTPUT_SHAPE.nested as Record<string, RecordShape>)["steps"] = STEP_OUTPUT_SHAPE;

/** What a new step requirement holds before its gate sets its own fields. */
export const STEP_REQUIREMENT_DEFAULTS = {
  stepIndex: 0,
  stepType: "Step",
  message: null,
  onReject: "skip",
  confirmed: null,
  rejectionFeedback: null,
  userInputSchema: null,
  userInput: null,
  availableChoices: null,
  allowMultipleSelections: false,
  selectedChoices: null,
  stepOutput: null,
  editedOutput: null,
  retryCount: 0,
  maxRetries: 3,
  errorMessage: null,
  errorDecision: null,
  executorRequirements: [],
  executorId: null,
  executorName: null,
  executorRunId: null,
  timeoutAt: null,
  onTimeout: null,
  timedOut: false,
  frozen: false,
  recovered: false,
} satisfies Omit<StepRequirementState, "id" | "kind" | "stepName" | "stepPath">;

export const STEP_REQUIREMENT_SHAPE: RecordShape = {
  defaults: STEP_REQUIREMENT_DEFAULTS,
  nested: {
    stepOutput: STEP_OUTPUT_SHAPE,
    executorRequirements: { defaults: {}, nested: { requirement: AGENT_REQUIREMENT_SHAPE, execution: TOOL_EXECUTION_SHAPE } },
  },
};

/** What a new cursor frame holds before its component moves on. */
export const FRAME_DEFAULTS = {
  phase: "running",
  index: 0,
  outputs: [],
  previousContent: null,
  branch: null,
  selected: [],
  iteration: 0,
  iterations: [],
  retryCount: 0,
  additionalData: null,
  output: null,
  runId: null,
} satisfies Omit<Frame, "stepType">;

export const FRAME_SHAPE: RecordShape = {
  defaults: FRAME_DEFAULTS,
  nested: { outputs: STEP_OUTPUT_SHAPE, iterations: STEP_OUTPUT_SHAPE, output: STEP_OUTPUT_SHAPE },
};

export const WORKFLOW_RUN_SHAPE: RecordShape = {
  defaults: {
    userId: null,
    fingerprint: null,
    additionalData: null,
    content: null,
    stepResults: [],
    stepRequirements: [],
    cursor: null,
    executorRuns: [],
    cancelReason: null,
    error: null,
  },
  nested: { stepResults: STEP_OUTPUT_SHAPE, stepRequirements: STEP_REQUIREMENT_SHAPE, cursor: FRAME_SHAPE },
};
