import { z } from "zod";
import {
  auditChain,
  callPathSchema,
  confirmDecisionSchema,
  decisionAuthorship,
  escalationSchema,
  gateDeadlineSchema,
  inputDecisionSchema,
  pauseTrace,
  rejectDecisionSchema,
  requirementStateSchema,
  runErrorSchema,
  runStatusSchema,
  timeoutDecisionSchema,
  toolExecutionStateSchema,
  usageSchema,
} from "./agent-run-schema.js";
import {
  STEP_REQUIREMENT_KINDS,
  STEP_TYPES,
  type StepOutputState,
  WORKFLOW_RUN_SCHEMA_VERSION,
} from "./workflow-run-state.js";

/**
 * The one schema of a stored workflow run; the types in workflow-run-state.ts are inferred from
 * it. `WorkflowRunOutput`, `StepRequirement` and `StepOutput` are thin views over this data; the
 * cursor says exactly where the run is. A requirement is one variant per gate kind, carrying only
 * its own fields and one `decision` in kern's vocabulary; a cursor frame is one variant per
 * component type. Defaults of left-out fields live in shapes.ts only.
 *
 * Like agent-run-schema.ts, only {@link runSchemas} loads this file, and it must stay a leaf.
 */

/**
 * A JSON object, kept as it is: z.record and z.object rebuild objects key by key and drop a key
 * named "__proto__" (a form field may be called that), so plain objects pass through unchanged.
 */
const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "Invalid input: expected an object" },
);

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

/** The decisions only workflow gates take (see agent-run-schema.ts for the shared ones). */
export const editDecisionSchema = z.object({ type: z.literal("edit"), output: z.string() });
export const selectDecisionSchema = z.object({ type: z.literal("select"), choices: z.array(z.string()).min(1) });
export const retryDecisionSchema = z.object({ type: z.literal("retry") });
export const skipDecisionSchema = z.object({ type: z.literal("skip") });
/** Recorded when a gate's deadline passed and its `onTimeout` decided instead of a person (shared with tool calls). */
export { timeoutDecisionSchema };

/**
 * One paused tool call of the step's agent (or of an agent it called as a tool, at any depth),
 * copied into the step requirement, with its path from the step's agent to the tool.
 */
export const executorRequirementStateSchema = z.object({
  requirement: requirementStateSchema,
  execution: toolExecutionStateSchema,
  path: callPathSchema,
});

/** What every step requirement has: which component asks, and whether it can still change. */
const requirementBase = {
  id: z.string(),
  stepName: z.string(),
  /** The index of the top-level step that holds the component. */
  stepIndex: z.number().int(),
  stepPath: z.array(z.number().int()),
  /** The names along `stepPath`, from the top-level component to the one that asks ([] in runs stored before it). */
  path: z.array(z.string()),
  stepType: stepTypeSchema,
  /** The question, as the component words it; null when it has none. */
  message: z.string().nullable(),
  /** True once a continue consumed it: earlier pauses' entries can never change again. */
  frozen: z.boolean(),
  /** Set by recover() on a step that may or may not have run before its process died. */
  recovered: z.boolean(),
  ...decisionAuthorship,
  ...pauseTrace,
};

/** What a gate a person answers adds: what rejecting does, its deadline (`timeout` or `hitlTimeout`), and where it escalated. */
const gateBase = {
  ...requirementBase,
  onReject: onRejectSchema,
  timeout: gateDeadlineSchema.nullable(),
  escalation: escalationSchema.nullable(),
};

/** What review gates add: how many times the component ran again after a rejection, and the cap. */
const retried = { retryCount: z.number().int().nonnegative(), maxRetries: z.number().int().nonnegative() };

export const confirmationRequirementSchema = z.object({
  ...gateBase,
  kind: z.literal("confirmation"),
  decision: z
    .discriminatedUnion("type", [confirmDecisionSchema, rejectDecisionSchema, timeoutDecisionSchema])
    .nullable(),
});

export const userInputRequirementSchema = z.object({
  ...gateBase,
  kind: z.literal("userInput"),
  fields: z.array(userInputFieldSchema),
  decision: z.discriminatedUnion("type", [inputDecisionSchema, rejectDecisionSchema, timeoutDecisionSchema]).nullable(),
});

export const routeRequirementSchema = z.object({
  ...gateBase,
  ...retried,
  kind: z.literal("route"),
  choices: z.array(z.string()),
  allowMultipleSelections: z.boolean(),
  decision: z
    .discriminatedUnion("type", [selectDecisionSchema, rejectDecisionSchema, timeoutDecisionSchema])
    .nullable(),
});

const reviewDecisionSchema = z.discriminatedUnion("type", [
  confirmDecisionSchema,
  editDecisionSchema,
  rejectDecisionSchema,
  timeoutDecisionSchema,
]);

export const outputReviewRequirementSchema = z.object({
  ...gateBase,
  ...retried,
  kind: z.literal("outputReview"),
  output: stepOutputStateSchema,
  decision: reviewDecisionSchema.nullable(),
});

/** A Loop's review after an iteration: `retryCount` is the iteration, `maxRetries` the loop's maxIterations. */
export const iterationReviewRequirementSchema = z.object({
  ...gateBase,
  ...retried,
  kind: z.literal("iterationReview"),
  output: stepOutputStateSchema,
  decision: reviewDecisionSchema.nullable(),
});

export const errorRequirementSchema = z.object({
  ...requirementBase,
  kind: z.literal("error"),
  errorMessage: z.string(),
  decision: z.discriminatedUnion("type", [retryDecisionSchema, skipDecisionSchema]).nullable(),
});

/** A step's agent paused on tool calls: each call carries its own decision. */
export const executorRequirementSchema = z.object({
  ...requirementBase,
  kind: z.literal("executor"),
  executor: z.object({ id: z.string(), name: z.string(), runId: z.string() }),
  calls: z.array(executorRequirementStateSchema),
});

export const stepRequirementStateSchema = z.discriminatedUnion("kind", [
  confirmationRequirementSchema,
  userInputRequirementSchema,
  routeRequirementSchema,
  outputReviewRequirementSchema,
  iterationReviewRequirementSchema,
  errorRequirementSchema,
  executorRequirementSchema,
]);

/**
 * One level of the cursor, from the workflow's top-level sequence down to the component running
 * or paused. Each frame holds what that component had done (its phase, position, outputs so far),
 * so a continue resumes without running anything again that completed.
 */
const frameBase = {
  /** Which gate or phase the component is in: e.g. "before", "confirm", "execute", "review". */
  phase: z.string(),
  previousContent: z.string().nullable(),
  /** Data the component's next execution receives (user input, feedback, previous output). */
  additionalData: jsonObjectSchema.nullable(),
};

/** What components that run children in order add: the child running, and the outputs so far. */
const sequence = { index: z.number().int().nonnegative(), outputs: z.array(stepOutputStateSchema) };

export const frameSchema = z.discriminatedUnion("stepType", [
  z.object({ stepType: z.literal("Workflow"), ...frameBase, ...sequence }),
  z.object({ stepType: z.literal("Steps"), ...frameBase, ...sequence }),
  z.object({ stepType: z.literal("Condition"), ...frameBase, ...sequence, branch: z.enum(["if", "else"]).nullable() }),
  z.object({
    stepType: z.literal("Router"),
    ...frameBase,
    ...sequence,
    /** The selected choice names, run in this order. */
    selected: z.array(z.string()),
    retryCount: z.number().int().nonnegative(),
    /** The routes' joined output, waiting for review. */
    output: stepOutputStateSchema.nullable(),
  }),
  z.object({
    stepType: z.literal("Loop"),
    ...frameBase,
    ...sequence,
    iteration: z.number().int().nonnegative(),
    /** The outputs of completed iterations. */
    iterations: z.array(stepOutputStateSchema),
  }),
  z.object({
    stepType: z.literal("Step"),
    ...frameBase,
    retryCount: z.number().int().nonnegative(),
    /** The step's output, waiting for review. */
    output: stepOutputStateSchema.nullable(),
    /** A step running an agent: the agent run it uses, chosen (and stored) before it starts. */
    runId: z.string().nullable(),
  }),
  z.object({
    stepType: z.literal("Parallel"),
    ...frameBase,
    /** One entry per branch, in declaration order (phase "branches"; empty before, and in runs stored before it). */
    get branches() {
      return z.array(parallelBranchSchema);
    },
  }),
]);

/**
 * Where one branch of a Parallel is: not started, running (its frames as of its last checkpoint),
 * paused (its frames wait at `requirementId`, or at a Parallel inside it when null), done (with
 * its output), or cancelled (a sibling's rejection cancelled it; its output says so).
 */
export const parallelBranchSchema = z.object({
  status: z.enum(["pending", "running", "paused", "done", "cancelled"]),
  get frames() {
    return z.array(frameSchema);
  },
  requirementId: z.string().nullable(),
  output: stepOutputStateSchema.nullable(),
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
  fingerprint: z.string().nullable(),
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
  /** The agent runs its steps started, each with the tokens it used so far. */
  executorRuns: z.array(z.object({ runId: z.string(), agentId: z.string(), stepName: z.string(), usage: usageSchema })),
  /** Tokens summed over its steps' agent runs. */
  usage: usageSchema,
  cancelReason: z.string().nullable(),
  error: runErrorSchema.nullable(),
  ...auditChain(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
