import type * as AgentRunSchema from "./agent-run-schema.js";
import { lazyModule } from "./lazy-module.js";
import type * as WorkflowRunSchema from "./workflow-run-schema.js";

/** The zod schemas of stored agent and workflow runs (agent-run-schema.ts, workflow-run-schema.ts). */
export type RunSchemas = typeof AgentRunSchema & typeof WorkflowRunSchema;

const agentRunSchema = lazyModule<typeof AgentRunSchema>(import.meta.url, "./agent-run-schema.js");
const workflowRunSchema = lazyModule<typeof WorkflowRunSchema>(import.meta.url, "./workflow-run-schema.js");
let schemas: RunSchemas | undefined;

/**
 * The run-state schemas, loaded (with zod) on first use rather than by `import "kern"`.
 *
 * @example
 * const parsed = runSchemas().resolutionSchema.safeParse(value);
 */
export function runSchemas(): RunSchemas {
  schemas ??= { ...agentRunSchema(), ...workflowRunSchema() };
  return schemas;
}
