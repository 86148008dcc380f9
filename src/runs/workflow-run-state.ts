import type { z } from "zod";
import type * as schema from "./workflow-run-schema.js";

/**
 * The types of a stored workflow run, inferred from its one zod schema in workflow-run-schema.ts,
 * and the constants that schema is built from. Like agent-run-state.ts, this file loads no zod.
 */

export const STEP_TYPES = ["Step", "Steps", "Condition", "Router", "Loop", "Parallel"] as const;
export type StepType = z.infer<typeof schema.stepTypeSchema>;

/** The output of one component; composites nest their children's outputs in `steps`. */
export interface StepOutputState {
  stepName: string;
  stepType: StepType;
  content: string | null;
  success: boolean;
  skipped: boolean;
  error: string | null;
  executorRunId: string | null;
  steps: StepOutputState[];
}

export type UserInputField = z.infer<typeof schema.userInputFieldSchema>;

export const STEP_REQUIREMENT_KINDS = [
  "confirmation",
  "userInput",
  "route",
  "outputReview",
  "iterationReview",
  "error",
  "executor",
] as const;
export type StepRequirementKind = z.infer<typeof schema.stepRequirementKindSchema>;

export type OnReject = z.infer<typeof schema.onRejectSchema>;
export type OnTimeout = z.infer<typeof schema.onTimeoutSchema>;

/** One paused tool call of the step's agent, copied into the step requirement. */
export type ExecutorRequirementState = z.infer<typeof schema.executorRequirementStateSchema>;

/** One workflow pause: a variant per gate kind (see `stepRequirementStateSchema`). */
export type StepRequirementState = z.infer<typeof schema.stepRequirementStateSchema>;
/** The variant of one gate kind, e.g. `RequirementOf<"route">`. */
export type RequirementOf<K extends StepRequirementKind> = Extract<StepRequirementState, { kind: K }>;

/**
 * What a person (or a deadline) decided about a workflow gate: `confirm`, `reject` (with
 * feedback), `input` (values), `select` (choices), `edit` (output), `retry`, `skip`, or `timeout`
 * (the gate's onTimeout decided). Each gate kind takes some of them.
 */
export type StepDecision = NonNullable<Extract<StepRequirementState, { decision: unknown }>["decision"]>;

/** One level of the cursor: a variant per component type (see `frameSchema`). */
export type Frame = z.infer<typeof schema.frameSchema>;
/** The frame of one component type, e.g. `FrameOf<"Loop">`. */
export type FrameOf<T extends Frame["stepType"]> = Extract<Frame, { stepType: T }>;
/** One branch of a Parallel, as its frame records it (see `parallelBranchSchema`). */
export type ParallelBranch = z.infer<typeof schema.parallelBranchSchema>;

/**
 * Version 2 added running checkpoints (a cursor while running), `fingerprint`, frame `runId` and
 * `recovered`; version 3 made requirements one variant per gate kind with a `decision`, and
 * frames one variant per component type; version 4 added who decided and the run's place in the
 * decisions table; version 5 added token `usage` (the run's, and each step agent run's), and to
 * an executor pause's tool calls their `origin`, `definitionDigest` and `definitionChanged`, and to
 * gates and tool calls their escalation and their deadline's reminders (`escalation`, and
 * `timeout.after`, `remindEvery`, `remindedAt`; null when left out); version 6 added gates inside
 * Parallel branches: a Parallel frame's `branches` (each branch's status, frames, requirement and
 * output; empty when left out) and a requirement's `path` of component names ([] when left out);
 * version 7 added agents as tools and workflows as steps: each tool call of an executor pause has
 * its `path` from the step's agent (through the agents it called as tools) to the tool.
 */
export const WORKFLOW_RUN_SCHEMA_VERSION = 7;

export type WorkflowRunState = z.infer<typeof schema.workflowRunStateSchema>;
