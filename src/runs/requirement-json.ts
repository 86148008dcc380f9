import type { z } from "zod";
import { StateCorruptError, StateVersionError } from "../errors.js";
import type { RequirementState, ToolExecutionState } from "./agent-run-state.js";
import { withCallPaths } from "./call-paths.js";
import { withDefaults } from "./compact.js";
import { migrateStepRequirement, migrateToolRequirement } from "./migrate-decisions.js";
import { runSchemas } from "./run-schemas.js";
import { AGENT_REQUIREMENT_SHAPE, STEP_REQUIREMENT_SHAPE, TOOL_EXECUTION_SHAPE } from "./shapes.js";
import type { StepRequirementState } from "./workflow-run-state.js";

/**
 * The version of requirement JSON (`RunRequirement.toJSON()`, `StepRequirement.toJSON()`).
 * Version 3 adds who decided (`decidedBy`, `decidedAt`) to version 2's `decision`; version 2 is
 * read as it is (the shape fills those in), version 1 (a flat record with `confirmed`,
 * `resolution` and the like) by migrating it. A caller's `decidedBy` is never applied: only the
 * decision is read from supplied JSON, and continueRun records who decided. Version 4 adds when
 * the requirement paused its run and the trace of that pause (`pausedAt`, `trace`); version 3 is
 * read as it is (the shape fills those in). A tool call's `definitionChanged` and its
 * `toolExecution.origin` and `toolExecution.definitionDigest` came with state version 5; JSON
 * without them reads as it is (false, null, null). So did a requirement's deadline and escalation
 * (`timeout`, `escalation`; null when left out) and a deadline's `after`, `remindEvery` and
 * `remindedAt` (null when left out). Version 5 adds a step requirement's `path` (the names of
 * the components from the top-level step down to the one that asks); version 4 is read as it is
 * (an empty path). Version 6 adds a tool call's `path` (the names from the run's agent through the
 * agents it called as tools to the tool), on a RunRequirement and on each call of an executor
 * pause; version 5 is read as it is (the agent's own call: its agent's name and the tool's).
 */
export const REQUIREMENT_SCHEMA_VERSION = 6;

/** The decision fields of version-1 requirement JSON; version 2 has `decision` (or `calls`) instead. */
const VERSION_1_FIELDS = [
  "confirmed",
  "resolution",
  "executorRequirements",
  "errorDecision",
  "selectedChoices",
  "editedOutput",
  "userInput",
];

/**
 * The version of requirement JSON a caller supplies, checked on every continue path as in
 * fromJSON(): its `schemaVersion` must be one this kern reads. Hand-written JSON may leave it out:
 * it is then version 1 when it carries version 1's decision fields, else the current version.
 */
export function checkSuppliedVersion(record: Record<string, unknown>): number {
  const version = record["schemaVersion"];
  if (version === undefined)
    return VERSION_1_FIELDS.some((field) => field in record) && !("decision" in record || "calls" in record)
      ? 1
      : REQUIREMENT_SCHEMA_VERSION;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > REQUIREMENT_SCHEMA_VERSION)
    throw new StateVersionError(version, REQUIREMENT_SCHEMA_VERSION);
  return version;
}

function checkVersion(json: unknown, what: string): { record: Record<string, unknown>; version: number } {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new StateCorruptError(`${what} JSON must be an object.`);
  }
  const record = json as Record<string, unknown>;
  return { record, version: checkSuppliedVersion(record) };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateCorruptError(
      `${what} JSON does not match its schema at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}.`,
    );
  }
  return parsed.data;
}

/** Reads `RunRequirement.toJSON()` output back into its state, tool execution and path. */
export function decodeRunRequirement(json: unknown): {
  requirement: RequirementState;
  execution: ToolExecutionState;
  path: string[];
} {
  const { record, version } = checkVersion(json, "RunRequirement");
  const current = version === 1 ? migrateToolRequirement(record) : record;
  const { requirementStateSchema, toolExecutionStateSchema, callPathSchema } = runSchemas();
  const execution = parse(
    toolExecutionStateSchema,
    withDefaults(record["toolExecution"], TOOL_EXECUTION_SHAPE),
    "RunRequirement toolExecution",
  );
  const path =
    record["path"] === undefined ? [execution.toolName] : parse(callPathSchema, record["path"], "RunRequirement path");
  return {
    requirement: parse(requirementStateSchema, withDefaults(current, AGENT_REQUIREMENT_SHAPE), "RunRequirement"),
    execution,
    path,
  };
}

/** Reads `StepRequirement.toJSON()` output (complete or sparse, of either version) back into its state. */
export function decodeStepRequirement(json: unknown): StepRequirementState {
  const { record, version } = checkVersion(json, "StepRequirement");
  const current = withCallPaths(version === 1 ? migrateStepRequirement(record) : record);
  return parse(
    runSchemas().stepRequirementStateSchema,
    withDefaults(current, STEP_REQUIREMENT_SHAPE),
    "StepRequirement",
  );
}
