import { z } from "zod";
// Deep imports, not the runs front door: this file is loaded lazily (see lazyModule) and so must
// be a leaf, and the front door is not one.
import {
  inputDecisionSchema,
  rejectDecisionSchema,
  resultDecisionSchema,
  toolConfirmDecisionSchema,
  toolDecisionSchema,
} from "../runs/agent-run-schema.js";
import {
  editDecisionSchema,
  retryDecisionSchema,
  selectDecisionSchema,
  skipDecisionSchema,
  timeoutDecisionSchema,
} from "../runs/workflow-run-schema.js";

/**
 * The shapes a workflow's `continueRun()` reads. Kept apart from continue-input.ts so zod loads
 * with the first continue, not with `import "kern"`.
 */

/**
 * Every decision of kern's vocabulary: a workflow gate's, or a tool call's inside an executor pause.
 * A confirm keeps its `args` here, so that one sent to a workflow gate is refused, not dropped.
 */
export const anyDecisionSchema = z.discriminatedUnion("type", [
  toolConfirmDecisionSchema,
  rejectDecisionSchema,
  inputDecisionSchema,
  resultDecisionSchema,
  editDecisionSchema,
  selectDecisionSchema,
  retryDecisionSchema,
  skipDecisionSchema,
  timeoutDecisionSchema,
]);

/** StepRequirement.toJSON() output (version 2): `id`, and `decision` or its calls' decisions, are read. */
export const suppliedSchema = z.looseObject({
  id: z.string(),
  schemaVersion: z.unknown().optional(),
  decision: anyDecisionSchema.nullable().optional(),
  calls: z
    .array(z.looseObject({ requirement: z.looseObject({ id: z.string(), decision: toolDecisionSchema.nullable() }) }))
    .optional(),
});

/** One decision as data: which requirement (a gate, or a tool call of an executor pause), and what was decided. */
export const decisionInputSchema = z.strictObject({ requirementId: z.string().min(1), decision: anyDecisionSchema });

/** @public Read through lazyModule() in continue-input.ts: a run reference. */
export const refSchema = z.object({
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  stepRequirements: z.array(z.unknown()).optional(),
  decisions: z.array(decisionInputSchema).optional(),
});
