import { z } from "zod";
// Deep import, not the runs front door: this file is loaded lazily (see lazyModule) and so must
// be a leaf, and the front door is not one.
import { resolutionSchema } from "../runs/agent-run-schema.js";

/**
 * The shape of `continueRun({ runId, sessionId, requirements })`. Kept apart from
 * continue-input.ts so zod loads with the first such call, not with `import "kern"`.
 */
export const continueRefSchema = z.object({
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  requirements: z
    .array(z.looseObject({ id: z.string(), resolution: resolutionSchema.nullable().optional() }))
    .optional(),
});
