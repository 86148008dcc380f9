import { z } from "zod";
// Deep import, not the runs front door: this file is loaded lazily (see lazyModule) and so must
// be a leaf, and the front door is not one.
import { personToolDecisionSchema, toolDecisionSchema } from "../runs/agent-run-schema.js";

/**
 * The shape of `continueRun({ runId, sessionId, requirements?, decisions? })`. Kept apart from
 * continue-input.ts so zod loads with the first such call, not with `import "kern"`.
 */

/** @public Read through lazyModule(): RunRequirement.toJSON() output; `id` and `decision` are read (`resolution` in version 1). */
export const requirementJsonSchema = z.looseObject({
  id: z.string(),
  schemaVersion: z.unknown().optional(),
  decision: toolDecisionSchema.nullable().optional(),
});

/** One decision as data: which requirement, and what was decided about it. */
export const toolDecisionInputSchema = z.strictObject({
  requirementId: z.string().min(1),
  // A deadline's decision is kern's own: a caller never sends one.
  decision: personToolDecisionSchema,
});

/** @public Read through lazyModule() in continue-input.ts: a run reference. */
export const continueRefSchema = z.object({
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  requirements: z.array(z.looseObject({ id: z.string(), schemaVersion: z.unknown().optional() })).optional(),
  decisions: z.array(toolDecisionInputSchema).optional(),
});
