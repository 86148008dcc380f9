import { z } from "zod";
import { requirementStateSchema, runErrorSchema, runStatusSchema, toolExecutionStateSchema } from "./agent-run-schema.js";
import {
  STEP_REQUIREMENT_KINDS,
  STEP_TYPES,
  WORKFLOW_RUN_SCHEMA_VERSION,
  type StepOutputState,
} from "./workflow-run-state.js";

/**
 * The one schema of a stored workflow run; the types in workflow-run-state.ts are inferred from
 * it. `WorkflowRunOutput`, `StepRequirement` and `StepOutput` are thin views over this data; the
 * cursor says exactly where a paused run stopped.
 *
 * Like agent-run-schema.ts, only {@link runSchemas} loads this file, and it must stay a leaf.
 */

const jsonObjectSchema = z.record(z.string(), z.unknown());

export const stepTypeSchema = z.enum(STEP_TYPES);

export const stepOutputStateSchema: z.ZodType<StepOutputState> = z.lazy(() =>
  z.object({
    stepName: z.string(),
    stepType: stepTypeSchema,
    content: z.string().nullable(),
    success: z.boolean(),
    skipped: z.boolean(),
    error: z.string().nullable(),
    executorRunId: z.string().nullable(),
    steps: z.array(stepOutputStateSchema),
  }),
);

export const userInputFieldSchema = z.object({
  name: z.string().min(1),
  type: z.enum(["string", "number", "integer", "boolean", "list", "object"]),
  description: z.string().optional(),
  required: z.boolean().optional(),
  allowedValues: z.array(z.unknown()).optional(),
});

export const stepRequirementKindSchema = z.enum(STEP_REQUIREMENT_KINDS);

export const onRejectSchema = z.enum(["skip", "cancel", "else", "retry"]);
export const onTimeoutSchema = z.enum(["approve", "skip", "cancel"]);

/** One paused tool call of the step's agent, copied into the step requirement. */
export const executorRequirementStateSchema = z.object({
  requirement: requirementStateSchema,
  execution: toolExecutionStateSchema,
});

export const stepRequirementStateSchema = z.object({
  id: z.string(),
  kind: stepRequirementKindSchema,
  stepName: z.string(),
  stepIndex: z.number().int(),
  stepPath: z.array(z.number().int()),
  stepType: stepTypeSchema,
  message: z.string().nullable(),
  onReject: onRejectSchema,
  /** null while undecided; true once confirmed (or edited, selected, given input); false once rejected. */
  confirmed: z.boolean().nullable(),
  rejectionFeedback: z.string().nullable(),
  userInputSchema: z.array(userInputFieldSchema).nullable(),
  userInput: jsonObjectSchema.nullable(),
  availableChoices: z.array(z.string()).nullable(),
  allowMultipleSelections: z.boolean(),
  selectedChoices: z.array(z.string()).nullable(),
  stepOutput: stepOutputStateSchema.nullable(),
  editedOutput: z.string().nullable(),
  retryCount: z.number().int().nonnegative(),
  maxRetries: z.number().int().nonnegative(),
  errorMessage: z.string().nullable(),
  errorDecision: z.enum(["retry", "skip"]).nullable(),
  executorRequirements: z.array(executorRequirementStateSchema),
  executorId: z.string().nullable(),
  executorName: z.string().nullable(),
  executorRunId: z.string().nullable(),
  timeoutAt: z.number().nullable(),
  onTimeout: onTimeoutSchema.nullable(),
  /** Set when the deadline passed and `onTimeout` decided instead of a human. */
  timedOut: z.boolean(),
  /** True once a continue consumed it: earlier pauses' entries can never change again. */
  frozen: z.boolean(),
  /** Set by recover() on a step that may or may not have run before its process died. */
  recovered: z.boolean().default(false),
});

/**
 * One level of the resume cursor, from the workflow's top-level sequence down to the paused
 * component. Each frame holds what that component had done before the pause (its position,
 * loop iteration, selected routes, outputs so far), so a continue resumes without re-running
 * anything that completed.
 */
export const frameSchema = z.object({
  stepType: z.union([stepTypeSchema, z.literal("Workflow")]),
  /** Which gate or phase the component is in: e.g. "before", "running", "executor", "review". */
  phase: z.string(),
  /** Index of the child running (sequences) or the position inside the current branch. */
  index: z.number().int().nonnegative(),
  /** Outputs of children completed so far at this level. */
  outputs: z.array(stepOutputStateSchema),
  previousContent: z.string().nullable(),
  /** Condition: "if" / "else"; Router: the selected choice names. */
  branch: z.enum(["if", "else"]).nullable(),
  selected: z.array(z.string()),
  iteration: z.number().int().nonnegative(),
  /** Loop: the outputs of completed iterations. */
  iterations: z.array(stepOutputStateSchema),
  retryCount: z.number().int().nonnegative(),
  /** Data the component's next execution receives (user input, feedback, previous output). */
  additionalData: jsonObjectSchema.nullable(),
  /** A step's output waiting for review. */
  output: stepOutputStateSchema.nullable(),
  /** A Step running an agent: the agent run it uses, chosen (and stored) before it starts. */
  runId: z.string().nullable().default(null),
});

export const workflowRunStateSchema = z.object({
  schemaVersion: z.literal(WORKFLOW_RUN_SCHEMA_VERSION),
  kind: z.literal("workflow"),
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  userId: z.string().nullable(),
  workflowId: z.string(),
  workflowName: z.string(),
  /** The fingerprint of the workflow definition (components, order, gates, agents' tools); null if unknown. */
  fingerprint: z.string().nullable().default(null),
  status: runStatusSchema,
  input: z.string(),
  additionalData: jsonObjectSchema.nullable(),
  content: z.string().nullable(),
  stepResults: z.array(stepOutputStateSchema),
  stepRequirements: z.array(stepRequirementStateSchema),
  /**
   * Where the run is: while paused, where it stopped; while running (or after an error), where
   * its last checkpoint was. Null once it ended otherwise.
   */
  cursor: z.array(frameSchema).nullable(),
  /** The agent runs executed by steps, one entry per run id. */
  executorRuns: z.array(z.object({ runId: z.string(), agentId: z.string(), stepName: z.string() })),
  cancelReason: z.string().nullable(),
  error: runErrorSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
