import type { z } from "zod";
import { StateCorruptError, StateVersionError } from "../errors.js";
import type { RequirementState, ToolExecutionState } from "./agent-run-state.js";
import { withDefaults } from "./compact.js";
import { runSchemas } from "./run-schemas.js";
import { STEP_REQUIREMENT_SHAPE } from "./shapes.js";
import type { StepRequirementState } from "./workflow-run-state.js";

/** The version of requirement JSON (`RunRequirement.toJSON()`, `StepRequirement.toJSON()`). */
export const REQUIREMENT_SCHEMA_VERSION = 1;

function checkVersion(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new StateCorruptError(`${what} JSON must be an object.`);
  }
  const record = json as Record<string, unknown>;
  checkSuppliedVersion(record["schemaVersion"]);
  return record;
}

/**
 * Requirement JSON a caller supplies may leave `schemaVersion` out (hand-written decisions); when
 * it is there it must be one this kern reads, on every continue path as in fromJSON().
 */
export function checkSuppliedVersion(version: unknown): void {
  if (version !== undefined && version !== REQUIREMENT_SCHEMA_VERSION) throw new StateVersionError(version, REQUIREMENT_SCHEMA_VERSION);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateCorruptError(`${what} JSON does not match its schema at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}.`);
  }
  return parsed.data;
}

/** Reads `RunRequirement.toJSON()` output back into its state and tool execution. */
export function decodeRunRequirement(json: unknown): { requirement: RequirementState; execution: ToolExecutionState } {
  const record = checkVersion(json, "RunRequirement");
  const { requirementStateSchema, toolExecutionStateSchema } = runSchemas();
  return {
    requirement: parse(requirementStateSchema, record, "RunRequirement"),
    execution: parse(toolExecutionStateSchema, record["toolExecution"], "RunRequirement toolExecution"),
  };
}

/** Reads `StepRequirement.toJSON()` output (complete or sparse) back into its state. */
export function decodeStepRequirement(json: unknown): StepRequirementState {
  const record = checkVersion(json, "StepRequirement");
  return parse(runSchemas().stepRequirementStateSchema, withDefaults(record, STEP_REQUIREMENT_SHAPE), "StepRequirement");
}
