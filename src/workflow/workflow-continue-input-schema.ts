import { z } from "zod";
// Deep import, not the runs front door: this file is loaded lazily (see lazyModule) and so must
// be a leaf, and the front door is not one.
import { resolutionSchema } from "../runs/agent-run-schema.js";

/**
 * The shapes `continueRun()` reads. Kept apart from continue-input.ts so zod loads with the
 * first continue, not with `import "kern"`.
 */

/** The decision fields read from supplied requirement JSON; policy fields (onReject ...) are ignored. */
export const suppliedSchema = z.looseObject({
  id: z.string(),
  confirmed: z.boolean().nullable().optional(),
  rejectionFeedback: z.string().nullable().optional(),
  userInput: z.record(z.string(), z.unknown()).nullable().optional(),
  selectedChoices: z.array(z.string()).nullable().optional(),
  editedOutput: z.string().nullable().optional(),
  errorDecision: z.enum(["retry", "skip"]).nullable().optional(),
  executorRequirements: z
    .array(z.looseObject({ requirement: z.looseObject({ id: z.string(), resolution: resolutionSchema.nullable() }) }))
    .optional(),
});

export const refSchema = z.object({
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  stepRequirements: z.array(z.unknown()).optional(),
});
